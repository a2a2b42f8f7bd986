// Composition root: the only place that picks concrete adapters and wires services together.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createGeocoder } from './adapters/geo/index.js';
import type { Geocoder } from './adapters/geo/geocoder.js';
import { createPaymentGateway } from './adapters/payment/index.js';
import type { PaymentGateway } from './adapters/payment/payment-gateway.js';
import { createSmsSender } from './adapters/sms/index.js';
import type { SmsSender } from './adapters/sms/sms-sender.js';
import type { ExportQueue } from './adapters/queue/export-queue.js';
import { createExportQueue } from './adapters/queue/index.js';
import {
  closeRateLimitRedis,
  connectRateLimitRedis,
  createRateLimiter,
} from './adapters/rate-limit/index.js';
import type { AppConfig } from './config.js';
import { type Database, connectPostgres, openPglite } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { type Release, lockDataDir } from './db/pglite-lock.js';
import { createLogger } from './logger.js';
import type { SessionStore } from './http/dashboard-auth.js';
import { DashboardRepository } from './modules/dashboard/dashboard.repository.js';
import { DashboardSessionsRepository } from './modules/dashboard/dashboard-sessions.repository.js';
import { DashboardService } from './modules/dashboard/dashboard.service.js';
import { ExportLock } from './modules/exports/export-lock.js';
import { ExportNotifier } from './modules/exports/export-notifier.js';
import { ExportWorker } from './modules/exports/export-worker.js';
import { ExportsRepository } from './modules/exports/exports.repository.js';
import { WorkbookExporter } from './modules/exports/workbook-exporter.js';
import { HealthService } from './modules/health/health.service.js';
import { Metrics } from './modules/metrics/metrics.js';
import { loadMenuFile } from './modules/menu/menu.loader.js';
import { MenuAvailability } from './modules/menu/menu-availability.js';
import { SoldOutRepository, syncMenu } from './modules/menu/menu.repository.js';
import { MenuService } from './modules/menu/menu.service.js';
import { IdempotencyRepository } from './modules/orders/idempotency.repository.js';
import { OrderEvents } from './modules/orders/order-events.js';
import type { Restaurant } from './modules/orders/order-preparation.js';
import { OrdersRepository } from './modules/orders/orders.repository.js';
import { OrdersService } from './modules/orders/orders.service.js';
import { PHONE_LIMIT_WINDOW_MS } from './modules/orders/phone-order-limit.js';
import { PlaceOrder } from './modules/orders/place-order.js';
import { buildAssistant } from './modules/voice/vapi-assistant.js';
import { VapiWebhook } from './modules/voice/vapi-webhook.service.js';
import { VoiceCallsRepository } from './modules/voice/voice-calls.repository.js';
import { VoiceCartRepository } from './modules/voice/voice-cart.repository.js';
import { CartTools } from './modules/voice/voice-cart.tools.js';
import { OrderStatusTool } from './modules/voice/voice-order-status.js';
import { OrderTools } from './modules/voice/voice-order.tools.js';
import { VoiceTools } from './modules/voice/voice-tools.service.js';
import { OrderCancellation } from './modules/payments/order-cancellation.service.js';
import { PaymentLinks } from './modules/payments/payment-links.service.js';
import { PaymentWebhook } from './modules/payments/payment-webhook.service.js';
import { PaymentsRepository } from './modules/payments/payments.repository.js';
import { VERSION } from './version.js';
import { restaurantFromConfig } from './modules/orders/restaurant.js';

export interface Container {
  config: AppConfig;
  logger: Logger;
  db: Database;
  payment: PaymentGateway;
  geocoder: Geocoder;
  sms: SmsSender;
  restaurant: Restaurant;
  events: OrderEvents;
  queue: ExportQueue;
  /** The rate limits' Redis connection (REDIS_URL set and a limit on); null = counts in this process. */
  rateLimitRedis: Redis | null;
  exporter: WorkbookExporter;
  exportsRepository: ExportsRepository;
  /** Built always, started only where this process runs the worker (server with WORKER=on, npm run worker). */
  exportWorker: ExportWorker;
  placeOrder: PlaceOrder;
  orders: OrdersService;
  menu: MenuService;
  /** Today's sold-out flags: PATCH /api/menu/items/{id} writes them, pricing reads them. */
  menuAvailability: MenuAvailability;
  health: HealthService;
  /** Prometheus metrics (GET /metrics) in this container's own registry. */
  metrics: Metrics;
  vapiWebhook: VapiWebhook;
  paymentWebhook: PaymentWebhook;
  cancellation: OrderCancellation;
  dashboard: DashboardService;
  /** Dashboard logins (server-side, with their expiry), shared by every API process. */
  dashboardSessions: SessionStore;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  logger?: Logger;
  /** An already-open database (tests share one migrated snapshot); closed with the container. */
  database?: Database;
  payment?: PaymentGateway;
  geocoder?: Geocoder;
  sms?: SmsSender;
  queue?: ExportQueue;
}

export async function createContainer(
  config: AppConfig,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const logger =
    overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.logFormat === 'pretty' });
  const closers: Array<() => Promise<void>> = [];
  try {
    const db = overrides.database ?? (await openDatabase(config, logger, closers));
    closers.unshift(() => db.close());
    await migrateDatabase(db, config.database.url ?? undefined);

    const menuFile = await loadMenuFile(config.restaurant.menuFile);
    await syncMenu(db, menuFile);
    const restaurant = restaurantFromConfig(config, menuFile);
    const menuAvailability = new MenuAvailability(restaurant.catalog, new SoldOutRepository(db), {
      onRefreshError: (error) =>
        logger.warn({ err: error }, 'sold-out flags not refreshed; pricing keeps the last known ones'),
    });
    await menuAvailability.start();
    closers.unshift(() => menuAvailability.stop());

    // Provider calls are timed by wrapping the ports here, so that no module knows about metrics.
    const metrics = new Metrics(logger);
    const payment = metrics.instrument(overrides.payment ?? createPaymentGateway(config.payment));
    const geocoder = metrics.instrument(overrides.geocoder ?? createGeocoder(config.geo));
    const sms = metrics.instrument(overrides.sms ?? createSmsSender(config.sms, logger));
    const events = new OrderEvents((error) => logger.error({ err: error }, 'order event listener failed'));
    const repository = new OrdersRepository(db, config.timeZone);

    const queue =
      overrides.queue ??
      createExportQueue({
        redisUrl: config.redisUrl,
        queueName: config.exports.queueName,
        onError: (error) => logger.warn({ err: error }, 'export queue connection problem'),
      });
    const { security } = config;
    const rateLimitRedis =
      config.redisUrl &&
      (security.requestsPerMinute > 0 ||
        security.phoneOrdersPerHour > 0 ||
        security.webhookRequestsPerMinute > 0)
        ? await connectRateLimitRedis(config.redisUrl, (error) =>
            logger.warn(
              { err: error },
              'rate limit Redis unreachable; limits are not enforced until it is back',
            ),
          )
        : null;
    if (rateLimitRedis) closers.unshift(() => closeRateLimitRedis(rateLimitRedis));
    const phoneLimiter =
      security.phoneOrdersPerHour > 0
        ? createRateLimiter({
            limit: security.phoneOrdersPerHour,
            windowMs: PHONE_LIMIT_WINDOW_MS,
            redis: rateLimitRedis,
            keyPrefix: `${security.redisKeyPrefix}phone:`,
            keySecret: config.dashboardToken,
            onError: (error) => logger.warn({ err: error }, 'phone order limit not checked; order allowed'),
          })
        : null;
    const exportsRepository = new ExportsRepository(db);
    const exporter = new WorkbookExporter(
      exportsRepository,
      new ExportLock(config.exportDir),
      {
        exportDir: config.exportDir,
        timeZone: config.timeZone,
        onExported: (ids) => events.emit({ type: 'order.exported', ids }),
      },
      logger,
    );
    const exportWorker = new ExportWorker(
      queue,
      exporter,
      exportsRepository,
      { batchSize: config.exports.batchSize, sweepSeconds: config.exports.sweepSeconds },
      logger,
    );
    const notifier = new ExportNotifier(queue, events, logger);
    const unwatchMetrics = metrics.watch({ events, queue, exports: exportsRepository });
    closers.unshift(async () => unwatchMetrics());
    const calls = new VoiceCallsRepository(db);
    const payments = new PaymentsRepository(db);
    const claims = new IdempotencyRepository(db);
    const placeOrder = new PlaceOrder(
      restaurant,
      repository,
      claims,
      geocoder,
      payment,
      events,
      new PaymentLinks(restaurant.name, payment, sms, payments, repository, events, logger),
      phoneLimiter,
    );
    const paymentWebhook = new PaymentWebhook(
      config.stripeWebhookSecrets,
      payments,
      claims,
      repository,
      payment,
      events,
      logger,
    );
    const cancellation = new OrderCancellation(repository, payments, payment, events);
    const orders = new OrdersService(restaurant, repository, geocoder, (callId) => calls.callView(callId));
    const menu = new MenuService(restaurant, menuFile.categories);
    const carts = new VoiceCartRepository(db);
    const voiceTools = new VoiceTools(
      {
        cart: new CartTools(restaurant.catalog, carts),
        orders: new OrderTools(
          restaurant,
          placeOrder,
          orders,
          cancellation,
          calls,
          carts,
          config.paymentLinks,
        ),
        status: new OrderStatusTool(orders, calls, config.timeZone),
        menu,
        catalog: restaurant.catalog,
      },
      calls,
      {
        timeoutMs: config.vapi.toolTimeoutMs,
        timeZone: config.timeZone,
        restaurantPhone: config.restaurant.phone,
      },
      logger,
    );
    const vapiWebhook = new VapiWebhook(
      voiceTools,
      calls,
      carts,
      {
        restaurantPhone: config.restaurant.phone,
        buildAssistant: () =>
          buildAssistant({
            restaurantName: config.restaurant.name,
            publicUrl: config.publicUrl,
            menu: menu.view(),
            restaurantPhone: config.restaurant.phone,
            credentialId: config.vapi.credentialId,
            webhookSecret: config.vapi.webhookSecrets[0] ?? null,
            timeZone: config.timeZone,
            paymentLinks: config.paymentLinks,
          }),
        onHang: () => metrics.countVapiHang(),
      },
      logger,
    );
    // Closed first to last: finish voice orders answered "still working", stop producing, stop the worker,
    // drain the queue, then the database.
    closers.unshift(
      () => voiceTools.drain(),
      () => notifier.close(),
      () => exportWorker.stop(),
      () => queue.close(),
    );

    return {
      config,
      logger,
      db,
      payment,
      geocoder,
      sms,
      restaurant,
      events,
      queue,
      rateLimitRedis,
      exporter,
      exportsRepository,
      exportWorker,
      placeOrder,
      orders,
      menu,
      menuAvailability,
      vapiWebhook,
      paymentWebhook,
      cancellation,
      dashboard: new DashboardService(new DashboardRepository(db, config.timeZone), exportsRepository, {
        restaurantName: config.restaurant.name,
        location: config.restaurant.location,
        deliveryRadiusKm: config.restaurant.deliveryRadiusKm,
        timeZone: config.timeZone,
        tileUrl: config.mapTileUrl,
      }),
      dashboardSessions: new DashboardSessionsRepository(db),
      metrics,
      health: new HealthService({
        db,
        queue,
        exports: exportsRepository,
        version: VERSION,
        mode: config.envMode,
        services: { payment: payment.provider, geo: geocoder.provider, sms: sms.provider },
      }),
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers).catch(() => undefined);
    throw error;
  }
}

async function openDatabase(
  config: AppConfig,
  logger: Logger,
  closers: Array<() => Promise<void>>,
): Promise<Database> {
  if (config.database.url) {
    return connectPostgres({ url: config.database.url, poolMax: config.database.poolMax }, (error) =>
      logger.warn({ err: error }, 'idle PostgreSQL connection failed; the pool will reconnect'),
    );
  }
  const dir = config.database.pgliteDir;
  if (dir) {
    const release: Release = await lockDataDir(dir, (error) => {
      // Another process may now open the directory; writing on would risk silent data loss.
      logger.fatal({ err: error }, 'lost the lock on the embedded database directory; stopping');
      process.exit(1);
    });
    closers.push(release);
  }
  return openPglite(dir);
}

/** Closes in order (workers and queue, the database, then its directory lock), continuing past failures. */
async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers.splice(0)) {
    try {
      await close();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'some resources failed to close');
}
