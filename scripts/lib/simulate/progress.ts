// Progress on stderr, so stdout stays the report; without a terminal it prints a line every second.
import cliProgress from 'cli-progress';

export interface Progress {
  tick: () => void;
  stop: () => void;
}

export function startProgress(total: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: 'Requests |{bar}| {value}/{total} ({percentage}%) {duration_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
