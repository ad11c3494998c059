import type { Request } from 'express';

/**
 * The address an admin login is throttled by: the peer's, unless the peer is a trusted proxy
 * (the admin app), whose `X-Forwarded-For` then names the client (its last entry: the one the
 * proxy itself added).
 */
export function clientIp(req: Request | undefined, trustedProxies: string): string {
  const peer = req?.socket?.remoteAddress ?? 'unknown';
  const trusted = trustedProxies.split(',').map((s) => s.trim()).filter(Boolean);
  if (!trusted.includes(peer)) return peer;
  const forwarded = req?.headers['x-forwarded-for'];
  const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  const last = list[list.length - 1];
  return last && last.length <= 64 ? last : peer;
}
