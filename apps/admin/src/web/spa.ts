import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Paths the single-page app never owns. */
const NOT_SPA = /^\/(api|graphql|queues|health)(\/|$)/;

/**
 * The built dashboard (vite): hashed files under /assets cached for a year, index.html for every
 * page route (the session gate has already sent visitors without a session to /login).
 */
export function spa(webRoot: string) {
  const index = join(webRoot, 'index.html');
  const assets = express.static(join(webRoot, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/assets/')) {
      req.url = req.url.slice('/assets'.length);
      return assets(req, res, next);
    }
    if (req.path === '/favicon.svg') return res.sendFile(join(webRoot, 'favicon.svg'), (err) => err && next());
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_SPA.test(req.path)) return next();
    if (!existsSync(index)) {
      res.status(503).type('text').send('the dashboard is not built: run `npm run build`');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  };
}
