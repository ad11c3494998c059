import type { NextFunction, Request, Response } from 'express';
import type { AdminConfig } from '../config/admin-config';
import { cookieName, readCookie } from './cookies';
import { SAFE_METHODS, sameOrigin } from './origin';
import type { AdminSession, SessionStore } from './session.store';

declare module 'express-serve-static-core' {
  interface Request {
    adminSession?: AdminSession;
    adminSid?: string;
  }
}

/** What answers without a session: the login page and its assets, the login call, health. */
export function isPublic(method: string, path: string): boolean {
  if (method === 'POST') return path === '/api/login';
  if (!SAFE_METHODS.has(method)) return false;
  return path === '/health' || path === '/login' || path.startsWith('/assets/') || path === '/favicon.svg';
}

/**
 * Runs before every route: refuses cross-origin state changes, attaches the session, and turns
 * away everything that is not public when there is none (pages redirect to /login, the rest 401).
 */
export function sessionGate(config: AdminConfig, store: SessionStore) {
  const name = cookieName(config.cookieSecure);
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!SAFE_METHODS.has(req.method) && !sameOrigin(req, config.ADMIN_PUBLIC_ORIGIN, req.protocol)) {
        res.status(403).json({ error: 'FORBIDDEN', message: 'cross-origin request refused: the Origin header must name this dashboard' });
        return;
      }
      const sid = readCookie(req, name);
      const session = await store.get(sid);
      if (session) {
        req.adminSession = session;
        req.adminSid = sid;
        return next();
      }
      if (isPublic(req.method, req.path)) return next();
      const wantsPage = req.method === 'GET' && !req.path.startsWith('/api/') && req.path !== '/graphql' && (req.headers.accept ?? '').includes('text/html');
      if (wantsPage) {
        res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      res.status(401).json({ error: 'UNAUTHENTICATED', message: 'sign in first (POST /api/login)' });
    } catch (err) {
      next(err);
    }
  };
}
