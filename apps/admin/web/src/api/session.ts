export interface Me {
  username: string;
  role: 'HUB_ADMIN' | 'REGION_ADMIN';
  regions: string[];
  expiresAt: string;
  absoluteExpiresAt: string;
}

export type LoginResult = { ok: true; me: Me } | { ok: false; message: string; retryAfter?: number };

export async function fetchMe(): Promise<Me | null> {
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  return res.ok ? ((await res.json()) as Me) : null;
}

export async function login(username: string, password: string): Promise<LoginResult> {
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => ({}))) as { message?: string; retryAfter?: number } & Partial<Me>;
  if (res.ok) return { ok: true, me: body as Me };
  return { ok: false, message: body.message ?? `sign-in failed (HTTP ${res.status})`, retryAfter: body.retryAfter };
}

export async function logout(): Promise<void> {
  await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
}
