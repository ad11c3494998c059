import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import type { Observable } from 'rxjs';
import { HubConfig } from '../config/hub-config';
import { HubMetrics } from '../health/metrics';
import { RegionService } from '../regions/region.service';
import { HubError } from './errors';

/**
 * Request bodies are read here and nowhere else: per route, with that route's limit, once the
 * route is known and (on /sync) its token checked. There is no global body parser, so an unknown
 * route or a refused request never has its body read. Compressed bodies are refused: nothing
 * this hub serves is large enough to need them, and inflating is where a 30 KB request became
 * 31 MiB. Every byte buffered is counted against one budget per process.
 */
export type BodyKind = 'json' | 'raw';

export interface BodyRequest extends IncomingMessage {
  body?: unknown;
}

/** The legacy fields an original kiki instance sends beside an envelope (`sender_raw`, `letter`, `opened`). */
export const KIKI_UPLOAD_SLACK_BYTES = 1024;
/** /sync/<region>/fetch: at most 1000 ids of ~44 characters, quoted. */
export const FETCH_BODY_BYTES = 128 * 1024;
/** /sync/<region>/reconcile: one negentropy message. */
export const RECONCILE_BODY_BYTES = 1024 * 1024;

/**
 * Deepest JSON nesting accepted in a body. An envelope is 3 levels deep and GraphQL variables a
 * few more; 20,000 nested arrays (a 40 KB body) overflowed class-transformer's stack (a 500).
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests deeper than `max` (walked without recursion, stopping at the first too-deep node). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Bytes buffered for request bodies across the whole process, reserved before reading. */
@Injectable()
export class BodyBudget {
  private used = 0;
  readonly total: number;

  constructor(@Inject(HubConfig) config: HubConfig, @Inject(HubMetrics) private readonly metrics: HubMetrics) {
    this.total = config.BODY_BUFFER_TOTAL_MB * 1024 * 1024;
  }

  get inUse(): number {
    return this.used;
  }

  /** Reserves `bytes`, or returns null when the process already buffers too much. */
  reserve(bytes: number): (() => void) | null {
    if (this.used + bytes > this.total) return null;
    this.used += bytes;
    this.metrics.bodyBytesBuffered.set(this.used);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      this.metrics.bodyBytesBuffered.set(this.used);
    };
  }
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return true; // some clients send none; the bytes must still parse as JSON
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** A body refused before or while reading: the rest of it is never read, so the connection is closed. */
function refuse(res: ServerResponse | undefined, err: HubError, retryAfter?: number): never {
  if (res && !res.headersSent) {
    res.setHeader('Connection', 'close');
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
  }
  throw err;
}

@Injectable()
export class BodyReader {
  constructor(
    @Inject(BodyBudget) private readonly budget: BodyBudget,
    @Inject(HubMetrics) private readonly metrics: HubMetrics,
  ) {}

  /**
   * Reads the whole body (at most `limit` bytes, never inflated) and parses it as `kind`.
   * Errors are HubErrors: TOO_LARGE (413), UNSUPPORTED_ENCODING / UNSUPPORTED_MEDIA_TYPE (415),
   * BAD_REQUEST (400), UNAVAILABLE (503 + Retry-After: the process buffers too much already).
   */
  async read(req: BodyRequest, res: ServerResponse | undefined, kind: BodyKind, limit: number): Promise<unknown> {
    // the GraphQL page cache may have read and parsed a small body already
    if (req.readableEnded && req.body !== undefined) return req.body;
    try {
      return await this.readFresh(req, res, kind, limit);
    } catch (err) {
      if (err instanceof HubError) this.metrics.bodiesRefused.inc({ code: err.code });
      throw err;
    }
  }

  private async readFresh(req: BodyRequest, res: ServerResponse | undefined, kind: BodyKind, limit: number): Promise<unknown> {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      refuse(res, new HubError('UNSUPPORTED_ENCODING', `Content-Encoding ${encoding} is not accepted: send the body uncompressed (at most ${limit} bytes)`));
    }
    if (kind === 'json' && !isJsonType(req.headers['content-type'])) {
      refuse(res, new HubError('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json (got ${req.headers['content-type']})`));
    }
    if (kind === 'raw' && req.headers['content-type']?.split(';')[0].trim().toLowerCase() !== 'application/octet-stream') {
      refuse(res, new HubError('BAD_REQUEST', 'send the reconciliation message as application/octet-stream'));
    }
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) {
      refuse(res, new HubError('BAD_REQUEST', 'Content-Length is not a byte count'));
    }
    if (declared !== undefined && declared > limit) {
      refuse(res, new HubError('TOO_LARGE', `request body is ${declared} bytes; this route accepts at most ${limit}`));
    }
    // a chunked body may use its whole limit: reserve that much
    const release = this.budget.reserve(declared ?? limit);
    if (!release) {
      refuse(res, new HubError('UNAVAILABLE', 'the hub is reading too many request bodies at once; try again in a second'), 1);
    }
    let raw: Buffer;
    try {
      raw = await getRawBody(req, { length: declared, limit });
    } catch (err) {
      const e = err as { type?: string };
      if (e.type === 'entity.too.large') refuse(res, new HubError('TOO_LARGE', `request body is larger than the ${limit} bytes this route accepts`));
      refuse(res, new HubError('BAD_REQUEST', e.type === 'request.aborted' ? 'the request body was not finished' : 'the request body does not match its Content-Length'));
    } finally {
      release();
    }
    if (kind === 'raw') return raw;
    if (raw.length === 0) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      refuse(res, new HubError('BAD_REQUEST', `request body is not valid JSON: ${(err as Error).message}`));
    }
    if (nestedDeeperThan(parsed, MAX_JSON_DEPTH)) refuse(res, new HubError('BAD_REQUEST', `request body nests deeper than ${MAX_JSON_DEPTH} levels`));
    return parsed;
  }
}

/** Which limit a route's body has: resolved per request, after the guards ran. */
export type BodyLimit = 'kiki-envelope' | 'sync-push' | 'sync-fetch' | 'sync-reconcile';

const BODY_LIMIT = 'kiki:body-limit';

/** Reads the request body (after guards, before pipes) with the route's limit: see BodyReader. */
@Injectable()
export class ReadBodyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly reader: BodyReader,
    private readonly regions: RegionService,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const kind = this.reflector.get<BodyLimit>(BODY_LIMIT, ctx.getHandler());
    const req = ctx.switchToHttp().getRequest<BodyRequest & { params: Record<string, string> }>();
    const res = ctx.switchToHttp().getResponse<ServerResponse>();
    req.body = await this.reader.read(req, res, kind === 'sync-reconcile' ? 'raw' : 'json', await this.limit(kind, req.params));
    return next.handle();
  }

  private async limit(kind: BodyLimit, params: Record<string, string>): Promise<number> {
    switch (kind) {
      case 'kiki-envelope':
        // the region's own envelope bound, known once the route named an existing region
        return (await this.regions.get(String(params.region))).limits.maxEnvelopeBytes + KIKI_UPLOAD_SLACK_BYTES;
      case 'sync-push':
        return this.config.MAX_BODY_BYTES;
      case 'sync-fetch':
        return FETCH_BODY_BYTES;
      case 'sync-reconcile':
        return RECONCILE_BODY_BYTES;
    }
  }
}

/** This route reads a body, bounded as `limit` says (the only way a route gets one). */
export const ReadBody = (limit: BodyLimit) => applyDecorators(SetMetadata(BODY_LIMIT, limit), UseInterceptors(ReadBodyInterceptor));
