import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free port of 127.0.0.1 and returns the server's base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** How a fake provider answers: a mode set for the next `times` requests, then its default again. */
export class FakeMode<M> {
  #mode: M;
  #remaining = Infinity;

  constructor(private readonly fallback: M) {
    this.#mode = fallback;
  }

  set(mode: M, times = Infinity): void {
    this.#mode = mode;
    this.#remaining = times;
  }

  /** The mode of the request arriving now. */
  take(): M {
    const current = this.#mode;
    this.#remaining -= 1;
    if (this.#remaining <= 0) this.set(this.fallback);
    return current;
  }
}

/** Stops a fake's server; hung requests and keep-alive sockets would otherwise hold close() open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** A server that hands each request to `handle` with its whole body as text, as the fake providers read it. */
export function textBodyServer(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
}
