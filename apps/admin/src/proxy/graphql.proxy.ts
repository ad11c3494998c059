import express, { type NextFunction, type Request, type Response } from 'express';

export const MAX_GRAPHQL_BODY = 256 * 1024;

/**
 * POST /graphql → the hub's /graphql with the session's hub token. A fetch pass-through rather
 * than a generic proxy: only the body and its type go to the hub (never the browser's cookies or
 * other headers), the token comes from the server-side session, and the answer comes back as is.
 */
export function graphqlProxy(hubUrl: string) {
  const raw = express.raw({ type: () => true, limit: MAX_GRAPHQL_BODY });
  const forward = async (req: Request, res: Response) => {
    if (req.method !== 'POST') {
      res.status(405).setHeader('Allow', 'POST').json({ errors: [{ message: 'send GraphQL operations with POST', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(`${hubUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: `Bearer ${req.adminSession!.hubToken}` },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      res.status(502).json({ errors: [{ message: 'the hub is unreachable', extensions: { code: 'UNAVAILABLE' } }] });
      return;
    }
    res.status(upstream.status);
    const type = upstream.headers.get('content-type');
    if (type) res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'no-store');
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      forward(req, res).catch(next);
    });
  };
}
