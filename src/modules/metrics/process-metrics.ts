// Node's process metrics (CPU, memory, event loop lag, GC, handles) in a registry of their own. They describe
// the process, not one app, and prom-client's collectors start an event-loop monitor and a GC observer that
// can never be stopped: so they are made once per process, on the first scrape, and not once per container
// (tests build dozens of containers in one process). Never prom-client's global default registry.
import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | null = null;

export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
