import { Type } from 'typebox';
import { Nullable } from '../../http/schemas/common.js';

export const HealthView = Type.Object({
  status: Type.Enum(['ok', 'unavailable']),
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
  }),
});
export type HealthView = Type.Static<typeof HealthView>;

export const RootView = Type.Object({
  name: Type.String(),
  service: Type.String(),
  version: Type.String(),
  mode: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
});
