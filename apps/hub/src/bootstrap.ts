import 'reflect-metadata';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DEFAULT_REGION } from '@kiki/crypto';
import { ensureDatabase, runMigrations } from '@kiki/storage';
import type { NextFunction, Request, Response } from 'express';
import { AdminAccountService } from './admin/admin-account.service';
import { AppModule } from './app.module';
import { HubExceptionFilter } from './common/http-exception.filter';
import { RateLimits } from './common/rate-limits';
import { JsonLogger } from './common/logger';
import { apiSecurityHeaders, pageSecurityHeaders } from './common/security-headers';
import { HubValidationPipe } from './common/validators';
import { docsEnabled, HubConfig } from './config/hub-config';
import { PageCache } from './graphql/page-cache';
import { GRAPHQL_PATH } from './graphql/request-limit';
import { HubMetrics } from './health/metrics';
import { Lifecycle } from './lifecycle/lifecycle';
import { closeOnSignals } from './lifecycle/shutdown';
import { RegionService } from './regions/region.service';
import { resolveServices } from './services/dev-services';

export interface HubAppOptions {
  logger?: JsonLogger | false;
}

export function openApiDocument(app: INestApplication) {
  const doc = new DocumentBuilder()
    .setTitle('Kiki Hub')
    .setDescription('Carrier of kiki envelopes for many regions: native /sync, the original kiki routes per region, operations.')
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'Kiki <one-time sync token> (docs/sync.md)' }, 'kiki-token')
    .build();
  return SwaggerModule.createDocument(app, doc);
}

/** Builds the HTTP app (no listen): used by main.ts and by tests. */
export async function createHubApp(config: HubConfig, opts: HubAppOptions = {}): Promise<NestExpressApplication> {
  const logger = opts.logger === false ? false : (opts.logger ?? new JsonLogger(config.LOG_LEVEL));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: logger === false ? false : logger,
  });
  // Express would hash every response body for a weak ETag (a GraphQL page: ~100 KB of SHA-1 per
  // request); no route here answers conditional requests, so nothing would use it.
  app.set('etag', false);
  applyAvailabilityBounds(app, config);
  app.useGlobalFilters(new HubExceptionFilter());
  app.useGlobalPipes(
    new HubValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: false }),
  );
  // (signals: startHub's closeOnSignals, not Nest's shutdown hooks, which exit with 143)
  // --- shutdown (issue 12): while draining, every response closes its connection ---
  const lifecycle = app.get(Lifecycle);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (lifecycle.draining) res.setHeader('Connection', 'close');
    next();
  });

  const metrics = app.get(HubMetrics);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: (req.route?.path as string | undefined) ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  // per source address on /sync and /r/, before routing reads anything (/graphql: GraphqlRequestLimit)
  app.use(app.get(RateLimits).addressMiddleware);

  // cached GraphQL envelope pages are answered before Express (plain requests) or here, after
  // GraphqlRequestLimit read the body and ahead of Apollo (the rest)
  const pageCache = app.get(PageCache);
  pageCache.attach(app.getHttpServer());
  app.use(GRAPHQL_PATH, pageCache.middleware);

  if (docsEnabled(config)) SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/**
 * Availability bounds of the HTTP server (docs/reliability.md): no global body parser (routes
 * read their own bodies, common/body.ts), short request and header timeouts, security headers.
 */
function applyAvailabilityBounds(app: NestExpressApplication, config: HubConfig): void {
  const server = app.getHttpServer();
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  server.headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_SECONDS, config.HTTP_REQUEST_TIMEOUT_SECONDS) * 1000;
  // Node enforces both only when it checks its connections (every 30 s by default); read at listen
  (server as typeof server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(250, Math.min(1000, server.headersTimeout / 4));
  app.disable('x-powered-by');
  // common/security-headers.ts: the API's headers, and the pages' (Swagger UI, Apollo's landing page)
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path.startsWith('/docs') || (req.method === 'GET' && req.path === '/graphql') ? pageSecurityHeaders(req, res, next) : apiSecurityHeaders(req, res, next),
  );
}

/** Database first (create, migrate), then the app, then kiki's default region if asked. */
export async function startHub(config: HubConfig): Promise<NestExpressApplication> {
  const logger = new JsonLogger(config.LOG_LEVEL);
  Logger.overrideLogger(logger);
  const log = new Logger('Bootstrap');
  // --- services (issue 12): configured ones must answer; development may embed Postgres / go without Redis ---
  const services = await resolveServices(config, log);
  if (config.CREATE_DATABASE && (await ensureDatabase(config.DATABASE_URL))) log.log({ msg: 'created the database' });
  if (config.MIGRATE_ON_START) {
    const applied = await runMigrations(config.DATABASE_URL);
    if (applied.length) log.log({ msg: 'applied migrations', applied });
  }
  const app = await createHubApp(config, { logger });
  if (config.IMPORT_DEFAULT_REGION) {
    const regions = app.get(RegionService);
    if (!(await regions.find(DEFAULT_REGION.public))) {
      await regions.create('kiki default region', DEFAULT_REGION);
    }
  }
  if (config.NODE_ENV === 'development' && config.CREATE_DEV_ADMIN) {
    const password = await app.get(AdminAccountService).ensureDevAdmin();
    // printed this once only: the hub keeps the scrypt hash (reset: npm run hub -- admin reset-password admin)
    if (password) log.warn({ msg: 'created the development admin account (hub admin); this password is shown once', username: 'admin', password });
  }
  // Keep idle client connections longer than the 60 s of common load balancers (Node's 5 s
  // default makes a client that pauses between batches reuse a socket the hub just closed).
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  await app.listen(config.PORT, config.HOST);
  closeOnSignals(app, { log, timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000, drainMs: config.SHUTDOWN_DRAIN_SECONDS * 1000, after: () => services.stop() });
  log.log({ msg: 'kiki hub listening', url: `http://${config.HOST}:${config.PORT}`, docs: '/docs', regions: (await app.get(RegionService).list()).length });
  return app;
}
