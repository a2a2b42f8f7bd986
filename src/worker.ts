// The standalone export worker (`npm run worker`): the same container and modules as the API, with no HTTP.
// It needs PostgreSQL: the embedded database can only be opened by the one process that runs the API.
import { ConfigError, loadConfig } from './config.js';
import { createContainer } from './container.js';
import { DatabaseStartupError } from './db/startup-errors.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.url) {
    throw new ConfigError([
      'DATABASE_URL: the standalone worker needs PostgreSQL. With the embedded database, `npm start` runs ' +
        'the worker inside the API process (WORKER=on, the default).',
    ]);
  }
  const container = await createContainer(config);
  container.exportWorker.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    container.logger.info({ signal }, 'export worker stopping after the running batch');
    container.close().then(
      () => process.exit(0),
      (error: unknown) => {
        container.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // The operator's to fix (the standalone worker has no embedded alternative): one line, no stack trace.
  const known = error instanceof ConfigError || error instanceof DatabaseStartupError;
  console.error(known ? error.message : error);
  process.exit(1);
});
