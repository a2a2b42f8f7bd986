// One call per key while it runs: a concurrent caller with the same key gets the running call's promise
// instead of starting a second one (Stripe answers a concurrent duplicate with 409 rather than waiting for
// the first). Keys leave when their call settles.
export class InFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const pending = start().finally(() => this.#running.delete(key));
    this.#running.set(key, pending);
    return pending;
  }
}
