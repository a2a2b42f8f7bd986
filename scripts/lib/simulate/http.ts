// The simulation's only door to the service: JSON over HTTP with a time limit, the dashboard token on reads.
// It never throws for an HTTP or network problem: status 0 and `error` describe a request that got no answer,
// so one refused connection is a counted failure, not a crashed run.

export interface HttpAnswer {
  /** 0 when no answer arrived. */
  status: number;
  headers: Headers;
  body: unknown;
  ms: number;
  /** Why no answer arrived (network error, client timeout). */
  error: string | null;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class ServiceClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string | null,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** A read; protected reads (orders, reports) need `Authorization: Bearer <DASHBOARD_TOKEN>` outside development. */
  get(path: string): Promise<HttpAnswer> {
    return this.send('GET', path, this.token ? { authorization: `Bearer ${this.token}` } : {});
  }

  post(path: string, body: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.send('POST', path, { 'content-type': 'application/json', ...headers }, body);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<HttpAnswer> {
    const started = performance.now();
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: parseJson(text),
        ms: since(started),
        error: null,
      };
    } catch (error) {
      return { status: 0, headers: new Headers(), body: null, ms: since(started), error: describe(error) };
    }
  }
}

/** `{ error, message }` of an error answer, or a description of the missing one. */
export function errorOf(answer: HttpAnswer): { code: string; message: string } {
  if (answer.status === 0) return { code: 'no_answer', message: answer.error ?? 'no answer' };
  const body = isRecord(answer.body) ? answer.body : {};
  return {
    code: typeof body.error === 'string' ? body.error : `http_${answer.status}`,
    message: typeof body.message === 'string' ? body.message : `HTTP ${answer.status}`,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function since(started: number): number {
  return performance.now() - started;
}

function describe(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : err.message;
}
