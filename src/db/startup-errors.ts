// Why PostgreSQL could not be opened at start-up, as one line an operator can act on (the entry points print it
// instead of a driver stack trace). Built from the parts of DATABASE_URL that are not secret: host, port,
// database and user, never the password.

/** A start-up failure to reach or open the configured PostgreSQL database. */
export class DatabaseStartupError extends Error {
  constructor(
    /** What went wrong, e.g. `Cannot connect to PostgreSQL at 127.0.0.1:5432 (connection refused)`. */
    readonly problem: string,
    /** What to do about it, e.g. `start it`. */
    readonly fix: string,
    /** True when the server itself could not be reached (the embedded database is then an alternative). */
    readonly serverUnreachable: boolean,
  ) {
    super(`${problem}: ${fix}.`);
    this.name = 'DatabaseStartupError';
  }

  /** The line for a process that can run on the embedded database instead (the API, not the worker). */
  withEmbeddedAlternative(): string {
    return this.serverUnreachable
      ? `${this.problem}: ${this.fix}, or unset DATABASE_URL to use the embedded database.`
      : this.message;
  }
}

interface Target {
  host: string;
  port: string;
  database: string | null;
  user: string | null;
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'no answer',
};

/**
 * The DatabaseStartupError for a failed first connection to `url`, or null when `error` is something else
 * (left to the caller, stack trace and all: that one is a bug).
 */
export function databaseStartupError(error: unknown, url: string): DatabaseStartupError | null {
  if (!(error instanceof Error)) return null;
  const target = targetOf(url, error);
  const at = `PostgreSQL at ${target.host}:${target.port}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code in UNREACHABLE)
    return new DatabaseStartupError(`Cannot connect to ${at} (${UNREACHABLE[code]})`, 'start it', true);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new DatabaseStartupError(
      `Cannot connect to ${at} (no such host)`,
      'check the host in DATABASE_URL',
      true,
    );
  if (/timeout/i.test(error.message))
    return new DatabaseStartupError(
      `Cannot connect to ${at} (no answer in time)`,
      'check that it is running and reachable from here',
      true,
    );
  if (code === '3D000') {
    const name = target.database ?? /database "([^"]*)"/.exec(error.message)?.[1] ?? 'phone_orders';
    return new DatabaseStartupError(
      `Database "${name}" does not exist on ${at}`,
      `create it with ${createdbCommand(target, name)}`,
      false,
    );
  }
  if (code === '28P01' || code === '28000')
    return new DatabaseStartupError(
      `${at} refused the login${target.user ? ` of user "${target.user}"` : ''} (${error.message})`,
      'check the user and password in DATABASE_URL',
      false,
    );
  if (code === '57P03')
    return new DatabaseStartupError(
      `${at} is not accepting connections yet`,
      'start again in a moment',
      false,
    );
  return null;
}

function targetOf(url: string, error: Error): Target {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // config.ts checks the scheme only; a URL that does not parse still gets a readable line.
  }
  const reached = error as { address?: unknown; port?: unknown };
  const database = parsed ? decodeURIComponent(parsed.pathname.replace(/^\//, '')) : '';
  const user = parsed ? decodeURIComponent(parsed.username) : '';
  return {
    host:
      typeof reached.address === 'string'
        ? reached.address
        : parsed?.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: typeof reached.port === 'number' ? String(reached.port) : parsed?.port || '5432',
    database: database || null,
    user: user || null,
  };
}

/** A createdb command line for the same server and user, its arguments quoted for a POSIX shell. */
function createdbCommand(target: Target, name: string): string {
  const args = ['createdb', '-h', target.host, '-p', target.port];
  if (target.user) args.push('-U', target.user);
  args.push(name);
  return args.map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
