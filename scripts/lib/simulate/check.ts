// One verification check: what was checked, whether it held, and every problem found (listed, not summed).

export interface CheckResult {
  label: string;
  ok: boolean;
  detail: string;
  problems: string[];
}

export function checkResult(label: string, detail: string, problems: string[]): CheckResult {
  return { label, ok: problems.length === 0, detail, problems };
}

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the order of `items`. */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return results;
}

const LIST_LIMIT = 20;

/** "#3, #9, #12 and 40 more": long lists stay readable. */
export function listIds(ids: number[]): string {
  const shown = ids
    .slice(0, LIST_LIMIT)
    .map((id) => `#${id}`)
    .join(', ');
  return ids.length > LIST_LIMIT ? `${shown} and ${ids.length - LIST_LIMIT} more` : shown;
}
