import { Type } from 'typebox';
import { Nullable } from '../../http/schemas/common.js';

export const HealthView = Type.Object({
  status: Type.Enum(['ok', 'degraded', 'unavailable'], {
    description: 'unavailable (503): the database does not answer; degraded: orders work, exports lag',
  }),
  version: Type.String(),
  mode: Type.String({ description: 'ENV_MODE' }),
  uptime_seconds: Type.Number(),
  database: Type.Object({
    kind: Type.String({ description: 'pglite (embedded) or postgres' }),
    ok: Type.Boolean(),
    latency_ms: Nullable(Type.Number()),
    error: Nullable(Type.String()),
  }),
  services: Type.Object({
    payment: Type.String({ description: 'mock or stripe' }),
    geo: Type.String({ description: 'mock or google' }),
    sms: Type.String({ description: 'mock, twilio, or none when payment links are off (PAYMENT_LINKS=off)' }),
  }),
  queue: Type.Object({
    kind: Type.String({ description: 'embedded or bullmq' }),
    ok: Type.Boolean(),
    waiting: Nullable(Type.Integer()),
    active: Nullable(Type.Integer()),
    delayed: Nullable(Type.Integer()),
    failed: Nullable(Type.Integer({ description: 'Jobs parked after their last attempt (dead letters)' })),
    error: Nullable(Type.String()),
  }),
  exports: Type.Object({
    backlog: Nullable(Type.Integer({ description: 'Confirmed orders not yet in their workbook' })),
    worker: Nullable(
      Type.Object({
        id: Type.String(),
        pid: Type.Integer(),
        alive: Type.Boolean({ description: 'Heartbeat seen in the last 15 seconds' }),
        last_seen_seconds_ago: Type.Number(),
        last_export_at: Nullable(Type.String({ format: 'date-time' })),
        last_export_orders: Nullable(Type.Integer()),
        last_error: Nullable(Type.String()),
      }),
    ),
  }),
});
export type HealthView = Type.Static<typeof HealthView>;

export const LiveView = Type.Object({
  status: Type.Literal('ok', { description: 'The process answers; nothing else is checked' }),
});

export const ReadinessView = Type.Object({
  status: Type.Enum(['ok', 'unavailable'], {
    description: 'unavailable (503): a check failed; send this instance no traffic',
  }),
  failed: Type.Array(Type.Enum(['database', 'shutdown']), { description: 'The checks that failed' }),
  checks: Type.Object({
    database: Type.Object({
      kind: Type.String({ description: 'pglite (embedded) or postgres' }),
      ok: Type.Boolean(),
      latency_ms: Nullable(Type.Number()),
      error: Nullable(Type.String()),
    }),
    shutdown: Type.Object({
      ok: Type.Boolean({ description: 'false from the moment a graceful shutdown begins' }),
      error: Nullable(Type.String()),
    }),
  }),
});
export type ReadinessView = Type.Static<typeof ReadinessView>;

export const RootView = Type.Object({
  name: Type.String(),
  service: Type.String(),
  version: Type.String(),
  mode: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
});
