// The service's Prometheus metrics (GET /metrics), in a registry owned by the container: apps built side by
// side (tests) never share a series, and nothing uses prom-client's global registry. Requests and provider
// calls are recorded as they happen, order outcomes from the order events, export gauges at scrape time.
import type { Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { instrumentPort } from '../../adapters/instrumented-port.js';
import type { OrderEvents } from '../orders/order-events.js';
import { type ExportSources, registerExportGauges } from './export-gauges.js';
import { countedOutcome } from './order-outcome.js';
import { processMetrics } from './process-metrics.js';

/** The route label of a request no route matched (404s, malformed URLs): never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Provider timeouts are 3 s (geocoding) and 10 s (payments). */
const PROVIDER_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

interface HttpSeries {
  inc(): void;
  observe(seconds: number): void;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly orders: Counter<'source' | 'outcome' | 'reason'>;
  private readonly providerSeconds: Histogram<'provider' | 'operation' | 'outcome'>;
  private readonly vapiHangs: Counter;
  /**
   * route -> method -> status -> its series, so that a request costs three map lookups and no objects once
   * its combination has been seen. Routes are patterns and statuses a few dozen, so this stays small.
   */
  private readonly http = new Map<string, Map<string, Map<number, HttpSeries>>>();

  constructor(private readonly logger: Logger) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.orders = new Counter({
      name: 'orders_total',
      help: 'Orders by source and outcome (confirmed, failed with a reason, awaiting_payment, cancelled)',
      labelNames: ['source', 'outcome', 'reason'],
      registers,
    });
    this.providerSeconds = new Histogram({
      name: 'provider_request_duration_seconds',
      help: 'Calls to payment and geocoding providers, by provider, operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'],
      buckets: PROVIDER_BUCKETS,
      registers,
    });
    this.vapiHangs = new Counter({
      name: 'vapi_hangs_total',
      help: 'Vapi hang notices: the assistant was silent too long on a call (usually waiting for a tool answer)',
      registers,
    });
  }

  /** One answered request; `route` is the matched route's pattern, undefined when none matched. */
  observeRequest(method: string, route: string | undefined, status: number, elapsedMs: number): void {
    const series = this.httpSeries(method, route ?? UNMATCHED_ROUTE, status);
    series.inc();
    series.observe(elapsedMs / 1000);
  }

  /** One Vapi `hang` message; the voice module is handed this as a callback and never sees the registry. */
  countVapiHang(): void {
    this.vapiHangs.inc();
  }

  /** `port` with every provider call timed under its provider's name (a port's `provider` never changes). */
  instrument<T extends { readonly provider: string }>(port: T): T {
    const provider = port.provider;
    return instrumentPort(port, (operation, outcome, seconds) =>
      this.providerSeconds.observe({ provider, operation, outcome }, seconds),
    );
  }

  /** Counts order outcomes from the events and reads export health at scrape time; returns the unsubscribe. */
  watch(sources: ExportSources & { events: OrderEvents }): () => void {
    registerExportGauges(this.registry, sources, this.logger);
    return sources.events.subscribe((event) => {
      const counted = countedOutcome(event);
      if (!counted) return;
      const { source, outcome, reason } = counted;
      this.orders.inc(reason ? { source, outcome, reason } : { source, outcome });
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition: this process's metrics, then this app's. */
  async exposition(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }

  private httpSeries(method: string, route: string, status: number): HttpSeries {
    let byMethod = this.http.get(route);
    if (!byMethod) this.http.set(route, (byMethod = new Map<string, Map<number, HttpSeries>>()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map<number, HttpSeries>()));
    let series = byStatus.get(status);
    if (!series) {
      const labels = { method, route, status: String(status) };
      const counter = this.requests.labels(labels);
      const histogram = this.requestSeconds.labels(labels);
      series = { inc: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
      byStatus.set(status, series);
    }
    return series;
  }
}
