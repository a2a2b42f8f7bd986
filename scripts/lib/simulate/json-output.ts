// --json FILE: the run as data, for dashboards and CI. Secrets (the webhook secret, the token) are left out.
import { writeFile } from 'node:fs/promises';
import type { VerificationReport } from './verification.js';
import type { Summary } from './stats.js';
import { type OrderResult, type SimulationOptions, confirmedAnswer } from './types.js';

export async function writeJsonReport(
  file: string,
  run: {
    options: SimulationOptions;
    startedAt: Date;
    preflightOk: boolean;
    summary: Summary | null;
    results: OrderResult[];
    verification: VerificationReport | null;
    exitCode: number;
  },
): Promise<void> {
  const { vapiSecret: _secret, token: _token, ...options } = run.options;
  const data = {
    started_at: run.startedAt.toISOString(),
    options,
    preflight_ok: run.preflightOk,
    summary: run.summary,
    verification: run.verification,
    exit_code: run.exitCode,
    orders: run.results.map((r) => ({
      number: r.planned.number,
      channel: r.planned.channel,
      key: r.planned.key,
      resend: r.planned.resend,
      order_id: confirmedAnswer(r)?.orderId ?? null,
      expected_total_cents: r.planned.expectedTotalCents,
      original: r.original,
      duplicate: r.duplicate,
    })),
  };
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
}
