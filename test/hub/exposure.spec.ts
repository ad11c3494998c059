import { afterAll, describe, expect, it } from 'vitest';
import { MetricsServer } from '../../apps/hub/src/health/metrics.server';
import { startTestHub, type TestHub } from '../support/hub';

/** Issue 11, attack 7: in production /docs, introspection and /metrics are not open to anyone. */
const hubs: TestHub[] = [];
afterAll(() => Promise.all(hubs.map((h) => h.close())));

async function hub(env: Record<string, string>): Promise<TestHub> {
  const h = await startTestHub({ RUN_WORKERS: 'false', ...env });
  hubs.push(h);
  return h;
}

const introspect = (url: string) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }) }).then(
    async (r) => ({ status: r.status, body: (await r.json()) as any }),
  );

describe('production', () => {
  it('hides /docs, introspection and /metrics unless enabled', async () => {
    const h = await hub({ NODE_ENV: 'production' });
    expect((await fetch(`${h.url}/docs`)).status).toBe(404);
    expect((await fetch(`${h.url}/docs/openapi.json`)).status).toBe(404);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
    const r = await introspect(h.url);
    expect(r.body.errors?.[0]?.message).toMatch(/introspection/i);
    expect(r.body.data).toBeUndefined();
  });

  it('serves them when asked: /docs and introspection by flag, /metrics behind METRICS_TOKEN', async () => {
    const token = 'm'.repeat(40);
    const h = await hub({ NODE_ENV: 'production', DOCS_ENABLED: 'true', GRAPHQL_INTROSPECTION: 'true', METRICS_TOKEN: token });
    expect((await fetch(`${h.url}/docs/openapi.json`)).status).toBe(200);
    expect((await introspect(h.url)).body.data.__schema.queryType.name).toBe('Query');
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${'x'.repeat(40)}` } })).status).toBe(401);
    const ok = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/kiki_hub_body_bytes_buffered/);
  });

  it('with METRICS_PORT, /metrics is on the internal port only', async () => {
    // port 0 is refused by the config; a free port is picked by binding first
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    const h = await hub({ NODE_ENV: 'production', METRICS_PORT: String(port) });
    expect(h.app.get(MetricsServer).address()).toBe(port);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
    const internal = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toMatch(/kiki_hub_http_request_duration_seconds/);
  });
});

describe('development', () => {
  it('keeps /docs, introspection and /metrics open', async () => {
    const h = await hub({ NODE_ENV: 'development' });
    expect((await fetch(`${h.url}/docs/openapi.json`)).status).toBe(200);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(200);
    expect((await introspect(h.url)).body.data.__schema.queryType.name).toBe('Query');
  });
});
