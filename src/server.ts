// The API entry point: config -> container -> app -> listen, and a graceful stop on SIGTERM/SIGINT.
import { buildApp } from './app.js';
import { type AppConfig, ConfigError, loadConfig } from './config.js';
import { createContainer } from './container.js';
import { DatabaseStartupError } from './db/startup-errors.js';
import { localBaseUrl, startupBanner } from './startup-banner.js';
import { VERSION } from './version.js';

/** The Stripe SDK retries a timed-out charge once, under the same key, after at least this long. */
const STRIPE_RETRY_DELAY_MS = 500;
/** Room for the database statements around the calls, and the queue and pool closing afterwards. */
const SHUTDOWN_MARGIN_MS = 5_000;

/**
 * How long a stop waits for the requests in flight: as long as the slowest order can take (an address lookup
 * that times out, then a charge that times out and is retried once), so none is cut off. One cut off mid-charge
 * loses its answer and leaves its key claimed: the client's retry gets 409 for 30 s, and a client that gives
 * up may have been charged with no order stored.
 */
function shutdownGraceMs(config: AppConfig): number {
  const slowestOrder =
    config.geo.google.timeoutMs + 2 * config.payment.stripe.timeoutMs + STRIPE_RETRY_DELAY_MS;
  return Math.max(10_000, slowestOrder + SHUTDOWN_MARGIN_MS);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const container = await createContainer(config);
  const app = await buildApp(container);
  app.addHook('onClose', async () => container.close());

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: no new requests, finishing those in flight');
    const force = setTimeout(() => {
      app.log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, shutdownGraceMs(config));
    force.unref();
    // Keep-alive connections whose last request finished after close() began would hold the server open
    // until their timeout: close each as soon as it goes idle.
    const reapIdle = setInterval(() => app.server.closeIdleConnections(), 100);
    reapIdle.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  await app.listen({ host: config.http.host, port: config.http.port });
  if (config.exports.inProcess) container.exportWorker.start();
  if (config.logFormat === 'pretty') {
    // A person is reading: the banner instead of the JSON start line (silent stays silent).
    if (config.logLevel !== 'silent')
      process.stdout.write(
        startupBanner({
          config,
          version: VERSION,
          database: container.db.kind,
          queue: container.queue.kind,
          payment: container.payment.provider,
          geo: container.geocoder.provider,
          sms: container.sms.provider,
        }),
      );
    return;
  }
  const base = localBaseUrl(config.http.host, config.http.port);
  app.log.info(
    {
      mode: config.envMode,
      database: container.db.kind,
      payment: container.payment.provider,
      geo: container.geocoder.provider,
      sms: container.sms.provider,
      paymentLinks: config.paymentLinks ? 'on' : 'off',
      queue: container.queue.kind,
      worker: config.exports.inProcess ? 'in-process' : 'off (run npm run worker)',
      exports: config.exportDir,
      dashboard: `${base}/dashboard`,
      docs: `${base}/docs`,
    },
    `${config.restaurant.name} is taking orders`,
  );
}

main().catch((error: unknown) => {
  // A configuration or database problem is the operator's to fix: say what to do, without a stack trace.
  if (error instanceof DatabaseStartupError) {
    console.error(error.withEmbeddedAlternative());
  } else if (error instanceof ConfigError || (error instanceof Error && error.name === 'DataDirInUseError')) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
