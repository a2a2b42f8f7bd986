// A bound on how long a check waits for a dependency: health checks and scrape-time reads must answer
// while the database or Redis hangs. The slow operation itself is not cancelled, only no longer awaited.

/** `promise`, or a rejection `no answer within <ms> ms` once `ms` have passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
