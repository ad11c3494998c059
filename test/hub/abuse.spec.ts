import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { generateKeyPair, type KeyPair } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { memberAuth, wsClient, collect } from '../graphql/client';
import { RegionService } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';

/**
 * The attacks of issue 11, one test each (the /list, replay and deadlock ones have their own
 * files): each must be answered with a clear 4xx (or a bounded refusal) and change nothing.
 */
let hub: TestHub;
let region: KeyPair;
let regionId: number;
const [alice] = people(1);

// a 30 KB gzip body that inflates to ~31 MiB of `[{},{},...]` (the attack)
const bomb = gzipSync(Buffer.from(`[${'{},'.repeat(10_000_000)}{}]`), { level: 9 });

beforeAll(async () => {
  hub = await startTestHub({
    RUN_WORKERS: 'false',
    HTTP_REQUEST_TIMEOUT_SECONDS: '2',
    HTTP_HEADERS_TIMEOUT_SECONDS: '2',
    BODY_BUFFER_TOTAL_MB: '1',
    WS_IDLE_SECONDS: '1',
    WS_MAX_SOCKETS_PER_ADDRESS: '3',
  });
  const ctx = await hub.createRegion('abuse', generateKeyPair());
  region = ctx.keys;
  regionId = ctx.regionId;
});
afterAll(() => hub?.close());

async function post(path: string, body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(`${hub.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

const stored = () => hub.app.get(EnvelopeRepository).liveIds(regionId);

/** Opens a raw connection and sends `head`; resolves with whatever the hub answers before closing. */
function rawRequest(head: string, keepSending?: (s: Socket) => void): Promise<{ text: string; ms: number }> {
  const { port } = new URL(hub.url);
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const s = connect(Number(port), '127.0.0.1', () => {
      s.write(head);
      keepSending?.(s);
    });
    s.on('data', (d) => (text += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ text, ms: Date.now() - started }));
  });
}

describe('1. bodies are read per route, after routing and auth, never inflated', () => {
  it('a gzip bomb sent to an unknown route is not read: 404, and the hub stays live', async () => {
    expect(bomb.length).toBeLessThan(64 * 1024);
    const [res, live] = await Promise.all([
      post('/nothing-here', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
      fetch(`${hub.url}/health/live`),
    ]);
    expect(res.status).toBe(404);
    expect(live.status).toBe(200);
    expect(hub.app.getHttpServer().listening).toBe(true);
  });

  it('compressed bodies are refused on every route that reads one (415), and nothing is stored', async () => {
    const env = gzipSync(JSON.stringify(publicPost(alice, region)));
    const gz = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const kiki = await post(`/r/${region.public}/envelope`, env, gz);
    expect(kiki.status).toBe(415);
    expect(kiki.body).toMatchObject({ status: 'error', code: 'UNSUPPORTED_ENCODING' });
    const push = await post(`/sync/${region.public}/push`, bomb, { ...gz, ...authHeader(alice, region) });
    expect(push.status).toBe(415);
    expect(push.body.code).toBe('UNSUPPORTED_ENCODING');
    const graphql = await post('/graphql', bomb, { ...gz, authorization: memberAuth(alice, region) });
    expect(graphql.status).toBe(415);
    expect(graphql.body.errors[0].extensions.code).toBe('UNSUPPORTED_ENCODING');
    expect(await stored()).toEqual([]);
  });

  it('deeply nested JSON is a 400, not a stack overflow (found by the hostile suite)', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    for (const path of ['fetch', 'push']) {
      const res = await post(`/sync/${region.public}/${path}`, deep, { 'content-type': 'application/json', ...authHeader(alice, region) });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/nests deeper/);
    }
    const gq = await post('/graphql', JSON.stringify({ query: '{ __typename }', variables: { a: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) } }), { 'content-type': 'application/json' });
    expect(gq.status).toBe(400);
  });

  it('/sync reads no body before the token is checked', async () => {
    // a declared 1 GiB body without a token: refused at once, nothing read
    const { text } = await rawRequest(
      `POST /sync/${region.public}/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 ** 30}\r\n\r\n{"envelopes":[`,
    );
    expect(text).toMatch(/^HTTP\/1.1 401/);
  });

  it('the original route accepts the region envelope size, not 32 MiB (413 in kiki shape)', async () => {
    const max = (await hub.app.get(RegionService).get(region.public)).limits.maxEnvelopeBytes;
    const res = await post(`/r/${region.public}/envelope`, JSON.stringify({ pad: 'x'.repeat(max + 2048) }), { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 'error', code: 'TOO_LARGE' });
    expect(res.headers.get('connection')).toBe('close');
  });

  it('an unknown region on the original route is refused before its body is read', async () => {
    const { text } = await rawRequest(
      `POST /r/${generateKeyPair().public}/envelope HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 ** 30}\r\n\r\n{`,
    );
    expect(text).toMatch(/^HTTP\/1.1 404/);
  });

  it('GraphQL: anonymous bodies are small, bodies need a length, and a member gets the full limit', async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(100 * 1024) } });
    const anon = await post('/graphql', big, { 'content-type': 'application/json' });
    expect(anon.status).toBe(413);
    expect(anon.body.errors[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', maximum: hub.config.GRAPHQL_ANONYMOUS_BODY_BYTES });
    const member = await post('/graphql', big, { 'content-type': 'application/json', authorization: memberAuth(alice, region) });
    expect(member.status).toBe(200);
    expect(member.body.data).toEqual({ __typename: 'Query' });
    const { text } = await rawRequest('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n');
    expect(text).toMatch(/^HTTP\/1.1 411/);
  });
});

describe('2. unfinished uploads hold nothing for long', () => {
  it('a body that never finishes is cut at HTTP_REQUEST_TIMEOUT_SECONDS', async () => {
    const { text, ms } = await rawRequest(
      `POST /r/${region.public}/envelope HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"id":`,
    );
    expect(text).toMatch(/^HTTP\/1.1 408/);
    expect(ms).toBeLessThan(30_000); // Node's default would be 300 s
  });

  it('headers that never finish are cut too', async () => {
    const { text } = await rawRequest('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(text).toMatch(/^HTTP\/1.1 408/);
  });

  it('bytes buffered for bodies are bounded per process: beyond BODY_BUFFER_TOTAL_MB, 503 + Retry-After', async () => {
    // two unfinished uploads reserve 2 × 600 KB of the 1 MiB budget: the second is refused at once
    const sockets: Socket[] = [];
    const first = rawRequest(
      `POST /r/${region.public}/envelope HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 600000\r\n\r\n{`,
      (s) => sockets.push(s),
    );
    await new Promise((r) => setTimeout(r, 300));
    const second = await post(`/r/${region.public}/envelope`, JSON.stringify({ pad: 'x'.repeat(599_980) }), { 'content-type': 'application/json' });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(second.body).toMatchObject({ status: 'error', code: 'UNAVAILABLE' });
    for (const s of sockets) s.destroy();
    await first;
  });
});

describe('4. sockets with fake credentials do not live', () => {
  it('authorization "x" is closed at connect (4403), a member token without its region too', async () => {
    for (const params of [{ authorization: 'x' }, { authorization: memberAuth(alice, region) }, { authorization: memberAuth(alice, generateKeyPair()), region: region.public }]) {
      const closed = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: params })));
        ws.on('close', (code) => resolve(code));
      });
      expect(closed).toBe(4403);
    }
  });

  it('a member socket holding no subscription is closed after WS_IDLE_SECONDS (4408)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: memberAuth(alice, region), region: region.public } })));
      ws.on('close', (code) => resolve(code));
    });
    expect(closed).toBe(4408);
  });

  it('a socket with a live subscription stays past the idle time', async () => {
    const client = wsClient(hub.url, memberAuth(alice, region), region.public);
    const sub = collect(client, `subscription($r: String!) { envelopeAdded(region: $r) { id } }`, { r: region.public });
    await new Promise((r) => setTimeout(r, 2500));
    expect(sub.done).toBe(false);
    await client.dispose();
  });

  it('sockets per address are capped: the upgrade beyond WS_MAX_SOCKETS_PER_ADDRESS answers 429', async () => {
    const open = (): Promise<WebSocket | number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        ws.on('open', () => resolve(ws));
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => undefined);
      });
    const held: WebSocket[] = [];
    for (let i = 0; i < 3; i++) held.push((await open()) as WebSocket);
    expect(await open()).toBe(429);
    for (const ws of held) ws.close();
  });
});

describe('5. a cursor past any cursor', () => {
  it('GET /sync/<region>/pull?after=99999999999999999999 is a 400, not a 500', async () => {
    const res = await fetch(`${hub.url}/sync/${region.public}/pull?after=99999999999999999999`, { headers: authHeader(alice, region) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).message).toMatch(/after/);
  });
});

describe('7. small leaks', () => {
  it('without a token, an unknown region and a real one answer alike', async () => {
    const unknown = generateKeyPair().public;
    for (const auth of [{}, authHeader(alice, generateKeyPair())]) {
      const a = await fetch(`${hub.url}/sync/${unknown}/pull`, { headers: auth });
      const b = await fetch(`${hub.url}/sync/${region.public}/pull`, { headers: auth });
      expect(a.status).toBe(401);
      expect(b.status).toBe(a.status);
      expect(await a.json()).toEqual(await b.json());
    }
  });

  it('an oversized WebSocket message is logged as one structured line, not a bare stack trace', async () => {
    const consoleError = vi.spyOn(console, 'error');
    const warn = vi.spyOn(Logger.prototype, 'warn');
    try {
      const closed = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        ws.on('open', () => ws.send('x'.repeat(70 * 1024)));
        ws.on('close', (code) => resolve(code));
      });
      expect(closed).toBe(1009);
      await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'websocket closed on a client error', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' })));
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      warn.mockRestore();
    }
  });

  it('no X-Powered-By; security headers on every answer', async () => {
    const res = await fetch(`${hub.url}/health/live`);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('strict-transport-security')).toBeTruthy();
  });
});
