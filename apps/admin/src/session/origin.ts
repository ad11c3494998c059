import type { IncomingMessage } from 'node:http';

/**
 * CSRF defence for cookie-authenticated requests: a state-changing request (or a WebSocket) must
 * carry an Origin header naming the dashboard itself. Browsers always send Origin on POST and on
 * WebSocket handshakes; a request without one (a form from file://, an old client) is refused.
 */
export function sameOrigin(req: IncomingMessage, publicOrigin: string | undefined, protocol: string): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  const expected = publicOrigin ?? `${protocol}://${req.headers.host ?? ''}`;
  return origin === expected;
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
