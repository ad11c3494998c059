/**
 * HubClient: the hub's native /sync routes (docs/sync.md) for one region and person.
 * Every request carries a fresh one-time token made with the region secret (the membership proof);
 * each retry makes a new one, since the hub accepts a token once.
 */
import { createSyncToken, decodeKey, type Envelope, type KeyPair, type PublicKeyPair } from '@kiki/crypto';

/** Codes the hub sends, plus the client's own: NETWORK, TIMEOUT, ABORTED, BAD_RESPONSE. */
export type HubErrorCode =
  | 'UNAUTHENTICATED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REPLAYED'
  | 'UNKNOWN_REGION'
  | 'INVALID_KEY'
  | 'BAD_REQUEST'
  | 'TOO_LARGE'
  | 'INVALID_MESSAGE'
  | 'UNAVAILABLE'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'BAD_RESPONSE'
  | (string & {});

export class HubClientError extends Error {
  constructor(
    /** the hub's stable code, or NETWORK / TIMEOUT / ABORTED / BAD_RESPONSE from the client */
    readonly code: HubErrorCode,
    /** HTTP status; 0 when no answer came */
    readonly status: number,
    message: string,
    /** which call failed, e.g. "POST /sync/:region/push" */
    readonly route: string,
    /** the hub's `field`, when it named one */
    readonly field?: string,
    /** number of attempts made (1 + retries) */
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'HubClientError';
  }
}

import type { FetchResult, PullPage, PushItemResult, PushResult, RemovedId, SyncTransport } from '../core/transport';

export type { FetchResult, PullPage, PushItemResult, PushResult, RemovedId };

/** Byte and request counters, per route, for reports and tests. */
export interface RouteStats {
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface HubClientOptions {
  /** Time allowed for one HTTP request, answer body included (default 30 s). */
  timeoutMs?: number;
  /** Retries after a network error, a timeout or a 503 (default 4). */
  retries?: number;
  /** First backoff delay; doubles each retry, with full jitter (default 250 ms). */
  retryBaseMs?: number;
  /** Longest backoff delay (default 8 s). */
  retryMaxMs?: number;
  /** Cancels every request of this client. */
  signal?: AbortSignal;
  /** The HTTP implementation (default global fetch); tests wrap it to cut a sync short. */
  fetch?: FetchLike;
  /** Envelopes per push request (default and maximum 500). */
  pushBatchSize?: number;
  /** Ids per fetch request (default and maximum 1000). */
  fetchBatchSize?: number;
  /** Largest answer body accepted (default 64 MiB). */
  maxResponseBytes?: number;
  /** The device clock (default Date.now); tokens carry its time. */
  now?: () => number;
}

import { MAX_FETCH_BATCH, MAX_PULL_LIMIT, MAX_PUSH_BATCH } from '../core/transport';

export { MAX_FETCH_BATCH, MAX_PULL_LIMIT, MAX_PUSH_BATCH };

const DEFAULTS = {
  timeoutMs: 30_000,
  retries: 4,
  retryBaseMs: 250,
  retryMaxMs: 8_000,
  maxResponseBytes: 64 * 1024 * 1024,
};

interface RequestSpec {
  method: 'GET' | 'POST';
  /** path after /sync/<region>/ */
  path: string;
  query?: Record<string, string>;
  body?: Uint8Array;
  contentType?: string;
  accept: 'json' | 'binary';
}

class RetryableError extends Error {
  constructor(
    override readonly cause: HubClientError,
    /** hub-suggested wait (Retry-After), ms */
    readonly waitMs?: number,
  ) {
    super(cause.message);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class HubClient implements SyncTransport {
  readonly baseUrl: string;
  readonly region: KeyPair;
  /** only the public half is used: requests name the person, the region secret proves membership */
  readonly person: PublicKeyPair;
  readonly stats: Record<'push' | 'pull' | 'fetch' | 'reconcile', RouteStats> = {
    push: { requests: 0, bytesSent: 0, bytesReceived: 0 },
    pull: { requests: 0, bytesSent: 0, bytesReceived: 0 },
    fetch: { requests: 0, bytesSent: 0, bytesReceived: 0 },
    reconcile: { requests: 0, bytesSent: 0, bytesReceived: 0 },
  };
  private readonly opts: Required<Omit<HubClientOptions, 'signal' | 'fetch' | 'now'>> & Pick<HubClientOptions, 'signal'>;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  /** hub clock minus device clock, learned from a TOKEN_EXPIRED answer's Date header */
  private clockOffsetMs = 0;

  constructor(baseUrl: string, region: KeyPair, person: PublicKeyPair, opts: HubClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new TypeError(`hub URL ${JSON.stringify(baseUrl)} is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('the hub URL must be http(s)');
    // A path prefix (a hub behind a reverse proxy) is kept: routes are resolved under it.
    this.baseUrl = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    // Only the format is checked here; whether the region secret is the right one is the hub's answer (UNAUTHENTICATED).
    decodeKey(region.public, 'region.public');
    decodeKey(region.private, 'region.private');
    decodeKey(person.public, 'person.public');
    this.region = { public: region.public, private: region.private };
    this.person = { public: person.public };
    const pushBatchSize = opts.pushBatchSize ?? MAX_PUSH_BATCH;
    const fetchBatchSize = opts.fetchBatchSize ?? MAX_FETCH_BATCH;
    if (!Number.isInteger(pushBatchSize) || pushBatchSize < 1 || pushBatchSize > MAX_PUSH_BATCH) {
      throw new RangeError(`pushBatchSize must be 1..${MAX_PUSH_BATCH}`);
    }
    if (!Number.isInteger(fetchBatchSize) || fetchBatchSize < 1 || fetchBatchSize > MAX_FETCH_BATCH) {
      throw new RangeError(`fetchBatchSize must be 1..${MAX_FETCH_BATCH}`);
    }
    this.opts = {
      timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
      retries: opts.retries ?? DEFAULTS.retries,
      retryBaseMs: opts.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: opts.retryMaxMs ?? DEFAULTS.retryMaxMs,
      maxResponseBytes: opts.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      pushBatchSize,
      fetchBatchSize,
      signal: opts.signal,
    };
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = opts.now ?? Date.now;
  }

  /** Pushes envelopes in batches of at most 500; results are indexed by position in `envelopes`. */
  async push(envelopes: readonly (Envelope | unknown)[], opts: { onBatch?: (r: PushResult, offset: number) => void | Promise<void> } = {}): Promise<PushResult> {
    const out: PushResult = { results: [], stored: 0, duplicate: 0, rejected: 0 };
    for (let offset = 0; offset < envelopes.length; offset += this.opts.pushBatchSize) {
      const batch = envelopes.slice(offset, offset + this.opts.pushBatchSize);
      const body = await this.request('push', { method: 'POST', path: 'push', body: jsonBytes({ envelopes: batch }), contentType: 'application/json', accept: 'json' });
      const r = readPushResult(body, batch.length);
      const shifted: PushResult = { ...r, results: r.results.map((x) => ({ ...x, index: x.index + offset })) };
      out.results.push(...shifted.results);
      out.stored += r.stored;
      out.duplicate += r.duplicate;
      out.rejected += r.rejected;
      await opts.onBatch?.(shifted, offset);
    }
    return out;
  }

  /** One page of what the hub committed after `after` (a cursor from a previous page; "0" to start). */
  async pull(after: string | number = '0', limit = 500): Promise<PullPage> {
    const cursor = String(after);
    if (!/^\d{1,19}$/.test(cursor)) throw new RangeError(`the pull cursor must be a whole number, got ${JSON.stringify(cursor)}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PULL_LIMIT) throw new RangeError(`limit must be 1..${MAX_PULL_LIMIT}`);
    const body = await this.request('pull', { method: 'GET', path: 'pull', query: { after: cursor, limit: String(limit) }, accept: 'json' });
    if (!isObject(body) || !Array.isArray(body.envelopes) || typeof body.cursor !== 'string' || typeof body.more !== 'boolean' || !/^\d+$/.test(body.cursor)) {
      throw this.badResponse('GET /sync/:region/pull', 'the pull answer lacks envelopes/cursor/more');
    }
    return { envelopes: body.envelopes, removed: readRemoved(body.removed, 'GET /sync/:region/pull'), cursor: body.cursor, more: body.more };
  }

  /** Envelopes by id, asked in batches of at most 1000 ids. */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const out: FetchResult = { envelopes: [], removed: [], missing: [] };
    for (let i = 0; i < ids.length; i += this.opts.fetchBatchSize) {
      const batch = ids.slice(i, i + this.opts.fetchBatchSize);
      const body = await this.request('fetch', { method: 'POST', path: 'fetch', body: jsonBytes({ ids: batch }), contentType: 'application/json', accept: 'json' });
      if (!isObject(body) || !Array.isArray(body.envelopes) || !Array.isArray(body.missing) || !body.missing.every((m) => typeof m === 'string')) {
        throw this.badResponse('POST /sync/:region/fetch', 'the fetch answer lacks envelopes/removed/missing');
      }
      out.envelopes.push(...body.envelopes);
      out.removed.push(...readRemoved(body.removed, 'POST /sync/:region/fetch'));
      out.missing.push(...(body.missing as string[]));
    }
    return out;
  }

  /** One negentropy round: sends the client's message, returns the hub's. */
  async reconcile(message: Uint8Array): Promise<Uint8Array> {
    if (!(message instanceof Uint8Array) || message.length === 0) throw new TypeError('a reconciliation message is a non-empty Uint8Array');
    return (await this.request('reconcile', {
      method: 'POST',
      path: 'reconcile',
      body: message,
      contentType: 'application/octet-stream',
      accept: 'binary',
    })) as Uint8Array;
  }

  private routeName(spec: RequestSpec): string {
    return `${spec.method} /sync/:region/${spec.path}`;
  }

  private badResponse(route: string, message: string, status = 200): HubClientError {
    return new HubClientError('BAD_RESPONSE', status, `the hub sent an unexpected answer: ${message}`, route);
  }

  /** The request loop: fresh token per attempt, retries with backoff for network errors and 503. */
  private async request(statsKey: keyof HubClient['stats'], spec: RequestSpec): Promise<unknown> {
    const route = this.routeName(spec);
    let skewRetried = false;
    for (let attempt = 1; ; attempt++) {
      this.throwIfAborted(route, attempt);
      try {
        return await this.attempt(statsKey, spec, route, attempt);
      } catch (err) {
        if (err instanceof HubClientError && err.code === 'TOKEN_EXPIRED' && !skewRetried && this.clockOffsetMs !== 0) {
          // The device clock is off: the offset was learned from this answer, so one more try is worth it.
          skewRetried = true;
          attempt--;
          continue;
        }
        if (!(err instanceof RetryableError)) throw err;
        if (attempt > this.opts.retries) {
          const c = err.cause;
          throw new HubClientError(c.code, c.status, `${c.message} (gave up after ${attempt} attempts)`, route, c.field, attempt);
        }
        const backoff = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (attempt - 1));
        const wait = err.waitMs !== undefined ? Math.min(this.opts.retryMaxMs, err.waitMs) : Math.random() * backoff;
        try {
          await sleep(wait, this.opts.signal);
        } catch {
          throw new HubClientError('ABORTED', 0, 'the request was cancelled', route, undefined, attempt);
        }
      }
    }
  }

  private throwIfAborted(route: string, attempts: number): void {
    if (this.opts.signal?.aborted) throw new HubClientError('ABORTED', 0, 'the request was cancelled', route, undefined, attempts);
  }

  private url(spec: RequestSpec): string {
    const u = new URL(`${this.baseUrl}/sync/${encodeURIComponent(this.region.public)}/${spec.path}`);
    for (const [k, v] of Object.entries(spec.query ?? {})) u.searchParams.set(k, v);
    return u.toString();
  }

  private async attempt(statsKey: keyof HubClient['stats'], spec: RequestSpec, route: string, attempt: number): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
    const token = createSyncToken(this.person, this.region, { now: new Date(this.now() + this.clockOffsetMs) });
    const headers: Record<string, string> = {
      authorization: `Kiki ${token}`,
      accept: spec.accept === 'json' ? 'application/json' : 'application/octet-stream, application/json',
    };
    if (spec.contentType) headers['content-type'] = spec.contentType;
    const stats = this.stats[statsKey];
    stats.requests++;
    stats.bytesSent += spec.body?.length ?? 0;

    const noAnswer = (e: unknown): HubClientError | RetryableError => {
      if (this.opts.signal?.aborted) return new HubClientError('ABORTED', 0, 'the request was cancelled', route, undefined, attempt);
      if (timeout.aborted) return new RetryableError(new HubClientError('TIMEOUT', 0, `no answer from ${this.baseUrl} within ${this.opts.timeoutMs} ms`, route, undefined, attempt));
      const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
      const detail = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
      return new RetryableError(new HubClientError('NETWORK', 0, `cannot reach ${this.baseUrl}: ${detail}`, route, undefined, attempt));
    };

    let res: Response;
    try {
      res = await this.fetchImpl(this.url(spec), { method: spec.method, headers, body: spec.body, signal, redirect: 'error' });
    } catch (e) {
      throw noAnswer(e);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(res, this.opts.maxResponseBytes);
    } catch (e) {
      if (e instanceof ResponseTooLarge) throw new HubClientError('BAD_RESPONSE', res.status, `the answer is larger than ${this.opts.maxResponseBytes} bytes`, route);
      throw noAnswer(e);
    }
    stats.bytesReceived += bytes.length;

    const type = res.headers.get('content-type') ?? '';
    if (res.ok) {
      if (spec.accept === 'binary') {
        if (!type.startsWith('application/octet-stream')) throw this.badResponse(route, `expected application/octet-stream, got ${type || 'no content type'}`, res.status);
        return bytes;
      }
      if (!type.includes('json')) throw this.badResponse(route, `expected JSON, got ${type || 'no content type'}`, res.status);
      try {
        return JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        throw this.badResponse(route, 'the JSON answer does not parse', res.status);
      }
    }

    const err = errorFrom(res.status, type, bytes, route, attempt);
    if (err.code === 'TOKEN_EXPIRED') this.learnClockOffset(res.headers.get('date'));
    if (res.status === 503 || err.code === 'UNAVAILABLE') {
      throw new RetryableError(err, retryAfterMs(res.headers.get('retry-after')));
    }
    throw err;
  }

  /** The hub's Date header tells how far the device clock is off (1 s resolution is plenty for a ±300 s window). */
  private learnClockOffset(date: string | null): void {
    const hubMs = date ? Date.parse(date) : Number.NaN;
    if (Number.isFinite(hubMs)) this.clockOffsetMs = hubMs - this.now();
  }
}

class ResponseTooLarge extends Error {}

async function readBounded(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge();
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function errorFrom(status: number, type: string, bytes: Uint8Array, route: string, attempt: number): HubClientError {
  let body: unknown;
  if (type.includes('json')) {
    try {
      body = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      body = undefined;
    }
  }
  if (isObject(body) && typeof body.code === 'string') {
    const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
    return new HubClientError(body.code, status, message, route, typeof body.field === 'string' ? body.field : undefined, attempt);
  }
  // Not the hub's error shape (a proxy in between, a wrong URL): say what came back.
  const text = Buffer.from(bytes.subarray(0, 200)).toString('utf8').replace(/\s+/g, ' ').trim();
  const code = status === 503 ? 'UNAVAILABLE' : `HTTP_${status}`;
  return new HubClientError(code, status, `HTTP ${status} from the hub${text ? `: ${text}` : ''}`, route, undefined, attempt);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function jsonBytes(v: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(v), 'utf8');
}

function readRemoved(v: unknown, route: string): RemovedId[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HubClientError('BAD_RESPONSE', 200, `the hub sent an unexpected answer: removed is not an array`, route);
  return v.map((r) => {
    if (!isObject(r) || typeof r.id !== 'string' || typeof r.reason !== 'string') {
      throw new HubClientError('BAD_RESPONSE', 200, 'the hub sent an unexpected answer: a removed entry lacks id/reason', route);
    }
    return typeof r.timestamp === 'string' ? { id: r.id, reason: r.reason, timestamp: r.timestamp } : { id: r.id, reason: r.reason };
  });
}

function readPushResult(body: unknown, count: number): PushResult {
  const route = 'POST /sync/:region/push';
  if (!isObject(body) || !Array.isArray(body.results) || body.results.length !== count) {
    throw new HubClientError('BAD_RESPONSE', 200, `the hub sent an unexpected answer: expected ${count} push results`, route);
  }
  const seen = new Set<number>();
  const results: PushItemResult[] = body.results.map((r) => {
    if (!isObject(r) || !Number.isInteger(r.index) || (r.index as number) < 0 || (r.index as number) >= count || seen.has(r.index as number)) {
      throw new HubClientError('BAD_RESPONSE', 200, 'the hub sent an unexpected answer: a push result has a bad index', route);
    }
    if (r.status !== 'stored' && r.status !== 'duplicate' && r.status !== 'rejected') {
      throw new HubClientError('BAD_RESPONSE', 200, `the hub sent an unexpected answer: push status ${JSON.stringify(r.status)}`, route);
    }
    seen.add(r.index as number);
    const item: PushItemResult = { index: r.index as number, status: r.status };
    if (typeof r.id === 'string') item.id = r.id;
    if (typeof r.code === 'string') item.code = r.code;
    if (typeof r.reason === 'string') item.reason = r.reason;
    if (typeof r.field === 'string') item.field = r.field;
    return item;
  });
  results.sort((a, b) => a.index - b.index);
  const count2 = (s: string) => results.filter((r) => r.status === s).length;
  return { results, stored: count2('stored'), duplicate: count2('duplicate'), rejected: count2('rejected') };
}
