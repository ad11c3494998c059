import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The security headers of every API answer. The API answers JSON only, so no script may run from
 * it. Used by Express for every route and by the GraphQL page cache's fast path (which answers
 * before Express), so a cached page carries exactly the headers of the page Apollo answered.
 */
export const apiSecurityHeaders: Middleware = helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });

/** Swagger UI and Apollo's landing page (GET /graphql) are pages with their own scripts: the other headers, no CSP. */
export const pageSecurityHeaders: Middleware = helmet({ contentSecurityPolicy: false });

/** Sets the API's security headers on a raw response (helmet's middleware is synchronous). */
export function setApiSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  apiSecurityHeaders(req, res, () => undefined);
}
