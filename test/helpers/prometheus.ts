// Reads a Prometheus text exposition (format 0.0.4) the way a scraper would, strictly: a line that is not a
// comment or a well-formed sample fails the test, and so does a sample without its family's # TYPE line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parseExposition(text: string): Sample[] {
  const typed = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      typed.add(type[1]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const [, name, labelText, rawValue] = match as unknown as [string, string, string | undefined, string];
    const family = [name, ...SUFFIXES.filter((s) => name.endsWith(s)).map((s) => name.slice(0, -s.length))];
    if (!family.some((f) => typed.has(f))) throw new Error(`sample before its # TYPE line: ${line}`);
    const labels: Record<string, string> = {};
    if (labelText) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      for (let m = LABEL.exec(labelText); m; m = LABEL.exec(labelText)) {
        labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        consumed = LABEL.lastIndex;
      }
      if (consumed !== labelText.length) throw new Error(`malformed labels: ${line}`);
    }
    const value = /^nan$/i.test(rawValue) ? Number.NaN : Number(rawValue.replace(/^\+Inf$/, 'Infinity'));
    if (Number.isNaN(value) && !/^nan$/i.test(rawValue)) throw new Error(`not a number: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** Samples named `name` whose labels include every one given. */
export function samplesOf(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The one sample named `name` with these labels; throws when there is none or more than one. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(samples, name, labels);
  if (found.length !== 1) {
    throw new Error(`${found.length} samples of ${name} with ${JSON.stringify(labels)}, expected one`);
  }
  return found[0]!.value;
}
