import { describe, expect, it } from 'vitest';
import { AdminConfigError, loadAdminConfig } from './admin-config';

describe('admin app configuration', () => {
  it('has working defaults', () => {
    const c = loadAdminConfig({});
    expect(c).toMatchObject({ ADMIN_PORT: 8081, HUB_URL: 'http://127.0.0.1:8080', REDIS_PREFIX: 'kiki', ADMIN_QUEUES: 'quota' });
    expect(c.cookieSecure).toBe(false);
    expect(c.queueNames).toEqual(['quota']);
  });

  it('marks the cookie Secure behind https unless told otherwise', () => {
    expect(loadAdminConfig({ ADMIN_PUBLIC_ORIGIN: 'https://admin.example.org' }).cookieSecure).toBe(true);
    expect(loadAdminConfig({ ADMIN_PUBLIC_ORIGIN: 'https://admin.example.org', ADMIN_COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
    expect(loadAdminConfig({ ADMIN_COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
    expect(loadAdminConfig({ HUB_URL: 'http://hub:8080/' }).hubUrl).toBe('http://hub:8080');
  });

  it('names every bad variable, one line each', () => {
    let err: AdminConfigError | undefined;
    try {
      loadAdminConfig({ ADMIN_PORT: '70000', HUB_URL: 'ftp://x', ADMIN_PUBLIC_ORIGIN: 'https://a.example/path', REDIS_URL: 'http://r', ADMIN_QUEUES: 'quota,,x', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e as AdminConfigError;
    }
    expect(err).toBeInstanceOf(AdminConfigError);
    const text = err!.problems.join('\n');
    for (const name of ['ADMIN_PORT', 'HUB_URL', 'ADMIN_PUBLIC_ORIGIN', 'REDIS_URL', 'ADMIN_QUEUES', 'LOG_LEVEL']) expect(text).toContain(name);
    expect(err!.problems).toHaveLength(6);
  });
});
