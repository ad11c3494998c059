import 'reflect-metadata';
import { join } from 'node:path';
import { type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { AdminModule } from './admin.module';
import type { AdminConfig } from './config/admin-config';
import { HubClient } from './hub/hub.client';
import { graphqlProxy } from './proxy/graphql.proxy';
import { WsRelay } from './proxy/ws.relay';
import { sessionGate } from './session/session.gate';
import { SessionStore } from './session/session.store';
import { spa } from './web/spa';

export interface AdminAppOptions {
  /** the built dashboard (vite's outDir); default: beside the compiled server, dist/apps/admin/web */
  webRoot?: string;
  logger?: LoggerService | false;
}

/** Strict CSP: everything from this origin, no inline script or style, no framing; HSTS only behind TLS. */
const securityHeaders = (secure: boolean) => helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
  referrerPolicy: { policy: 'same-origin' },
  strictTransportSecurity: secure ? { maxAge: 31_536_000 } : false,
});

/** Builds the admin app (no listen): used by main.ts and by tests. */
export async function createAdminApp(config: AdminConfig, opts: AdminAppOptions = {}): Promise<NestExpressApplication> {
  const hub = new HubClient(config.hubUrl);
  const sessions = new SessionStore(hub, config.ADMIN_MAX_SESSIONS);
  const app = await NestFactory.create<NestExpressApplication>(AdminModule.forRoot(config, hub, sessions), {
    bodyParser: false,
    logger: opts.logger === undefined ? undefined : opts.logger,
  });
  app.set('etag', false);
  app.set('trust proxy', config.ADMIN_TRUST_PROXY_HOPS);
  app.disable('x-powered-by');
  app.use(securityHeaders(config.cookieSecure));
  app.use(sessionGate(config, sessions));
  app.use('/graphql', graphqlProxy(config.hubUrl));
  app.useBodyParser('json', { limit: '16kb' });
  app.use(spa(opts.webRoot ?? join(__dirname, '..', 'web')));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  app.enableShutdownHooks();
  const relay = new WsRelay(config, sessions);
  relay.attach(app.getHttpServer());
  const close = app.close.bind(app);
  app.close = async () => {
    sessions.close();
    await relay.close();
    await close();
  };
  return app;
}
