// buildApp: plugins -> routes -> error handling, over a ready container. It never listens (server.ts does),
// so tests run the whole app in memory with app.inject.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Container } from './container.js';
import { corsPlugin } from './http/cors.js';
import { DashboardGuard, isProtected } from './http/dashboard-auth.js';
import { docsPlugin } from './http/docs.js';
import { createErrorHandler } from './http/error-handler.js';
import { shutdownPlugin } from './http/shutdown.js';
import { jsonDepthPlugin } from './http/json-depth.js';
import { noStorePlugin } from './http/no-store.js';
import { rateLimitPlugin } from './http/rate-limit.js';
import { requestIdOf } from './http/request-id.js';
import { requestLogFields } from './http/request-log.js';
import { securityHeadersPlugin } from './http/security-headers.js';
import { wellFormedTextPlugin } from './http/well-formed-text.js';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.js';
import { eventsRoutes } from './modules/dashboard/events.routes.js';
import { reportsRoutes } from './modules/exports/reports.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { menuRoutes } from './modules/menu/menu.routes.js';
import { metricsRoutes } from './modules/metrics/metrics.routes.js';
import { ordersRoutes } from './modules/orders/orders.routes.js';
import { mockCheckoutRoutes } from './modules/payments/mock-checkout.routes.js';
import { paymentsRoutes } from './modules/payments/payments.routes.js';
import { DEFAULT_VAPI_AUTH } from './modules/voice/vapi.auth.js';
import { vapiRoutes } from './modules/voice/vapi.routes.js';
import { VERSION } from './version.js';

export async function buildApp(container: Container): Promise<FastifyInstance> {
  const { config } = container;
  // Typed as Fastify's logger interface so the app keeps the default FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = container.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.http.bodyLimitBytes,
    // One log line per request (onResponse below) instead of Fastify's two: logging is on the hot path.
    logController: new LogController({ disableRequestLogging: true }),
    // Off: every id passes through requestIdOf, which takes the client's only when it is a short plain token.
    requestIdHeader: false,
    genReqId: requestIdOf,
    ajv: { customOptions: { allErrors: true } },
    // http/shutdown.ts answers 503 during a shutdown instead, saying why (Fastify's answer runs no hook).
    return503OnClosing: false,
    trustProxy: config.security.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // The API speaks JSON only; without this, a text/plain body would reach schema validation as a string.
  app.removeContentTypeParser('text/plain');
  // Before every other hook and route: headers and CORS answer even requests refused later (401, 404, 429).
  await app.register(securityHeadersPlugin, { hsts: config.envMode !== 'development' });
  await app.register(corsPlugin, { origins: config.security.corsOrigins });
  await app.register(noStorePlugin);
  await app.register(jsonDepthPlugin, { maxDepth: config.security.jsonMaxDepth });
  await app.register(wellFormedTextPlugin);
  await app.register(rateLimitPlugin, {
    perMinute: config.security.requestsPerMinute,
    webhookPerMinute: config.security.webhookRequestsPerMinute,
    redis: container.rateLimitRedis,
    keyPrefix: config.security.redisKeyPrefix,
  });

  await app.register(shutdownPlugin, { health: container.health });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    container.metrics.observeRequest(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime,
    );
    // Checked first: with request lines off (LOG_LEVEL=warn) no fields are built for every request.
    if (!container.logger.isLevelEnabled('info')) return;
    request.log.info(
      {
        ...requestLogFields(request),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  const guard = new DashboardGuard(
    config.dashboardToken,
    container.dashboardSessions,
    config.dashboardSessionHours,
  );
  if (guard.required) {
    app.addHook('onRequest', async (request, reply) => {
      // The matched route's pattern, not the raw URL: /%6Detrics reaches GET /metrics too.
      const path = request.routeOptions.url ?? request.url;
      if (!isProtected(request.method, path) || (await guard.allows(request))) return;
      if (request.url.split('?')[0]?.startsWith('/dashboard')) return reply.redirect('/dashboard/login', 303);
      return reply.status(401).send({
        error: 'unauthorized',
        message: 'Send Authorization: Bearer <DASHBOARD_TOKEN>, or log in at /dashboard.',
      });
    });
  }

  app.setErrorHandler(
    createErrorHandler({ exposeInternals: config.envMode === 'development' && config.debug }),
  );
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `There is no ${request.method} ${request.url.split('?')[0]}.` }),
  );

  await app.register(docsPlugin, { version: VERSION, restaurant: config.restaurant.name });
  await app.register(healthRoutes, {
    health: container.health,
    info: { name: config.restaurant.name, version: VERSION, mode: config.envMode },
  });
  await app.register(metricsRoutes, { metrics: container.metrics });
  await app.register(menuRoutes, { menu: container.menu, availability: container.menuAvailability });
  await app.register(ordersRoutes, { placeOrder: container.placeOrder, orders: container.orders });
  await app.register(paymentsRoutes, {
    webhook: container.paymentWebhook,
    cancellation: container.cancellation,
  });
  // Mock payment links need a page to be paid on; only where the mock stands in for Stripe in development.
  if (config.envMode === 'development' && container.payment.provider === 'mock')
    await app.register(mockCheckoutRoutes, { webhook: container.paymentWebhook });
  await app.register(reportsRoutes, {
    exporter: container.exporter,
    repository: container.exportsRepository,
  });
  await app.register(vapiRoutes, {
    webhook: container.vapiWebhook,
    auth: { ...DEFAULT_VAPI_AUTH, secrets: config.vapi.webhookSecrets },
    simulationEnabled: config.envMode === 'development',
    jsonMaxDepth: config.security.jsonMaxDepth,
  });
  await app.register(dashboardRoutes, { dashboard: container.dashboard, guard, tileUrl: config.mapTileUrl });
  await app.register(eventsRoutes, { events: container.events });
  return app;
}
