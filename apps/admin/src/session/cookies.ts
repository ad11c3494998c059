import type { IncomingMessage } from 'node:http';

/** The value of one cookie of a request (no dependency: one header, one name). */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim(); // our ids are base64url: nothing to decode
  }
  return undefined;
}

/** `__Host-` pins a Secure cookie to this exact origin and path / (no Domain can widen it). */
export function cookieName(secure: boolean): string {
  return secure ? '__Host-kiki_admin' : 'kiki_admin';
}

export function sessionCookie(name: string, sid: string, secure: boolean): string {
  // no Max-Age: the session ends server-side (idle / absolute expiry); the cookie dies with the browser
  return `${name}=${sid}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
