import { Inject, Injectable } from '@nestjs/common';
import { Plugin } from '@nestjs/apollo';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ReadRepository, type RegionVersion } from '@kiki/storage';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { HubConfig } from '../config/hub-config';
import { HubMetrics } from '../health/metrics';
import { GqlContextFactory } from './auth/context.factory';
import type { GqlContext } from './auth/gql-context';
import { RateLimitedError } from '../common/errors';
import { RateLimits } from '../common/rate-limits';
import { setApiSecurityHeaders } from '../common/security-headers';
import { GRAPHQL_PATH, sendRateLimited, takeAddressLimit } from './request-limit';
import {
  type DocumentNode,
  type FieldNode,
  getArgumentValues,
  getNamedType,
  type GraphQLField,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from './graphql-js';

/**
 * Fields whose value is fixed once the region's version is: the page itself and the sealed
 * envelope fields (a stored envelope never changes; removing it moves the version). A selection
 * that reaches anything else (a person's usage, tier or name, the region, stats) is never cached.
 */
const CACHEABLE_FIELDS = new Set([
  'Query.envelopes',
  'EnvelopeConnection.edges',
  'EnvelopeConnection.nodes',
  'EnvelopeConnection.pageInfo',
  'EnvelopeEdge.cursor',
  'EnvelopeEdge.node',
  'PageInfo.hasNextPage',
  'PageInfo.hasPreviousPage',
  'PageInfo.startCursor',
  'PageInfo.endCursor',
  ...['id', 'timestamp', 'sender', 'signature', 'signatureV2', 'sealedRecipients', 'sealedLetter', 'size', 'sequence', 'cursor', 'receivedAt', 'purpose', 'firstId', 'replyTo'].map(
    (f) => `Envelope.${f}`,
  ),
  'Person.publicKey',
]);

export type { PageCacheNote } from './auth/gql-context';

interface CachedPage {
  regionKey: string;
  regionId: number;
  version: RegionVersion;
  full: boolean;
  /** the response body exactly as Apollo sent it */
  body: Buffer;
}

interface Cacheable {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

/** The one root field of a query whose every selected field is in CACHEABLE_FIELDS, or null. */
export function cacheableOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Cacheable | null {
  if (operation.operation !== 'query') return null;
  const roots = operation.selectionSet.selections;
  if (roots.length !== 1 || roots[0].kind !== Kind.FIELD || roots[0].name.value !== 'envelopes' || roots[0].directives?.length) return null;
  const field = schema.getQueryType()?.getFields().envelopes;
  if (!field) return null;
  let ok = true;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (node.name.value === '__typename') return;
        const parent = typeInfo.getParentType();
        if (!parent || !CACHEABLE_FIELDS.has(`${getNamedType(parent).name}.${node.name.value}`)) ok = false;
      },
    }),
  );
  return ok ? { field, node: roots[0] } : null;
}

/** A request as the cache keys it: what Apollo answered is a function of these (and the region's data). */
function cacheKey(query: string, operationName: unknown, variables: unknown): string {
  return `${typeof operationName === 'string' ? operationName : ''}\u0000${JSON.stringify(variables ?? {})}\u0000${query}`;
}

type PageRequest = { query: string; operationName?: unknown; variables?: unknown };

/** Apollo picks the response type by Accept; the cache holds application/json answers. */
function acceptsJson(accept: string | undefined): boolean {
  return accept === undefined || accept === '*/*' || accept === 'application/json';
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  return type === 'application/json' && params.every((p) => p === 'charset=utf-8');
}

/** A GraphQL POST body with nothing but query, variables and operationName, or null. */
function pageRequest(body: unknown): PageRequest | null {
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as PageRequest).query !== 'string') return null;
  for (const k of Object.keys(body)) if (k !== 'query' && k !== 'variables' && k !== 'operationName') return null;
  return body as PageRequest;
}

function parseBody(raw: Buffer): PageRequest | null {
  try {
    return pageRequest(JSON.parse(raw.toString('utf8')));
  } catch {
    return null; // Express's JSON parser reports it
  }
}

/** Largest body the fast path reads itself (a page request is a few hundred bytes). */
const FAST_BODY_MAX = 16 * 1024;

/** Reads exactly `length` bytes without reading past them (so they can be put back); null on error or end. */
function readExactly(req: IncomingMessage, length: number, done: (raw: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let got = 0;
  let finished = false;
  const finish = (raw: Buffer | null) => {
    if (finished) return;
    finished = true;
    req.off('readable', onReadable);
    req.off('end', onEnd);
    req.off('error', onEnd);
    done(raw);
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while (got < length && (chunk = req.read() as Buffer | null) !== null) {
      chunks.push(chunk);
      got += chunk.length;
    }
    if (got >= length) finish(got === length ? Buffer.concat(chunks, got) : null);
  };
  const onEnd = () => finish(null);
  req.on('readable', onReadable);
  req.on('end', onEnd);
  req.on('error', onEnd);
}

/** Only these requests are answered from the cache; anything else goes to Apollo unchanged. */
function plainJsonPost(req: Request): PageRequest | null {
  if (req.method !== 'POST' || !req.is('application/json') || !acceptsJson(req.headers.accept)) return null;
  return pageRequest(req.body);
}

/**
 * Shared cache of GraphQL `envelopes` pages. Every member of a region reads the same envelopes,
 * so the page one device read is the page the next one asks for. A page is stored after Apollo
 * answered it (PageCachePlugin) and served as the same bytes by `attach` (before Express) or
 * `middleware` (ahead of Apollo), but only to a request that proved membership of the region
 * (or is the operator), and only
 * while it is still exact. Postgres says the region's version on every request, so hub
 * processes need not tell each other anything:
 *  - a page that was not full is exact while nothing was appended or removed (last_seq unmoved);
 *  - a full page (more rows followed it) is exact until something is removed (removed_seq):
 *    seq is given in commit order, so appends land after it, never inside it.
 * The version is read before the page, so an entry never claims a version newer than its rows.
 * Depth and complexity need no check on a hit: the same text and variables passed them already.
 */
@Injectable()
export class PageCache {
  private readonly pages: LRUCache<string, CachedPage> | null;

  constructor(
    @Inject(HubConfig) config: HubConfig,
    @Inject(GqlContextFactory) private readonly contexts: GqlContextFactory,
    @Inject(ReadRepository) private readonly reads: ReadRepository,
    @Inject(HubMetrics) private readonly metrics: HubMetrics,
    @Inject(RateLimits) private readonly limits: RateLimits,
  ) {
    const maxSize = config.GRAPHQL_PAGE_CACHE_MB * 1024 * 1024;
    this.pages = maxSize > 0 ? new LRUCache<string, CachedPage>({ maxSize, sizeCalculation: (p) => p.body.length + 200 }) : null;
  }

  get enabled(): boolean {
    return this.pages !== null;
  }

  version(regionId: number): Promise<RegionVersion | null> {
    return this.reads.regionVersion(regionId);
  }

  store(key: string, page: CachedPage): void {
    this.pages?.set(key, page);
  }

  countMiss(): void {
    this.metrics.graphqlPageCache.inc({ result: 'miss' });
  }

  key = cacheKey;

  /**
   * Answers cached pages straight from Node's HTTP server, before Express, whose routing and body
   * parsing are ~15 % of a hit. Anything else goes on to Express unchanged: a body read here and
   * not answered is put back (`unshift`), or, once a hit was tried, handed over parsed (the JSON
   * parser skips a request whose body was read).
   */
  attach(server: Server): void {
    if (!this.pages) return;
    const pages = this.pages;
    const express = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    const pass = (req: IncomingMessage, res: ServerResponse) => {
      for (const listener of express) listener.call(server, req, res);
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const length = Number(req.headers['content-length']);
      if (
        pages.size === 0 ||
        req.method !== 'POST' ||
        req.url !== GRAPHQL_PATH ||
        !(length > 0 && length <= FAST_BODY_MAX) ||
        !isJsonType(req.headers['content-type']) ||
        !acceptsJson(req.headers.accept)
      ) {
        return pass(req, res);
      }
      readExactly(req, length, (raw) => {
        const body = raw ? parseBody(raw) : null;
        const page = body ? pages.get(cacheKey(body.query, body.operationName, body.variables)) : undefined;
        if (!page) {
          if (raw) req.unshift(raw);
          return pass(req, res);
        }
        const started = process.hrtime.bigint();
        const handOver = () => {
          (req as IncomingMessage & { body?: unknown }).body = body;
          if (req.readableEnded) return pass(req, res);
          req.once('end', () => pass(req, res));
          req.resume();
        };
        this.serve(req as Request, res as unknown as Response, page).then((served) => {
          if (!served) return handOver();
          this.metrics.httpDuration.observe({ method: 'POST', route: GRAPHQL_PATH, status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
        }, handOver);
      });
    });
  }

  /** Express middleware on POST /graphql, mounted after the JSON body parser and before Apollo. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const body = this.pages ? plainJsonPost(req) : null;
    const page = body ? this.pages!.get(cacheKey(body.query, body.operationName, body.variables)) : undefined;
    if (!page) return next();
    this.serve(req, res, page).then((served) => served || next(), next);
  };

  private async serve(req: Request, res: Response, page: CachedPage): Promise<boolean> {
    // A hit is a request like any other: the per-address limit first (a no-op when GraphqlRequestLimit
    // took it already), before any token or database work.
    try {
      await takeAddressLimit(this.limits, req);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      sendRateLimited(res, err);
      return true;
    }
    // The token check (Redis) and the version (Postgres) are asked for at once: one wait, not two.
    // The version says nothing to a caller who fails the check: it is only compared, never sent.
    const version = this.version(page.regionId);
    version.catch(() => undefined);
    try {
      // the same RequestAuth Apollo's context will use: a refused token is reported by Apollo, once
      await this.contexts.authFor(req).region(page.regionKey);
    } catch {
      return false;
    }
    const now = await version;
    if (!now || now.removedSeq !== page.version.removedSeq || (!page.full && now.lastSeq !== page.version.lastSeq)) return false;
    this.metrics.graphqlPageCache.inc({ result: 'hit' });
    setApiSecurityHeaders(req, res); // what Express's helmet sets on every other answer
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': page.body.length });
    res.end(page.body);
    return true;
  }
}

/** Stores the answers of cacheable operations in the PageCache (misses only; hits never reach Apollo). */
@Plugin()
@Injectable()
export class PageCachePlugin implements ApolloServerPlugin<GqlContext> {
  private readonly analysed = new WeakMap<DocumentNode, Map<string, Cacheable | null>>();

  constructor(@Inject(PageCache) private readonly cache: PageCache) {}

  private analyse(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Cacheable | null {
    let byOperation = this.analysed.get(document);
    if (!byOperation) this.analysed.set(document, (byOperation = new Map()));
    const name = operation.name?.value ?? '';
    if (!byOperation.has(name)) byOperation.set(name, cacheableOperation(schema, document, operation));
    return byOperation.get(name)!;
  }

  async requestDidStart(): Promise<GraphQLRequestListener<GqlContext> | void> {
    if (!this.cache.enabled) return;
    const cache = this.cache;
    let pending: (Omit<CachedPage, 'full' | 'body'> & { key: string }) | undefined;
    return {
      responseForOperation: async (rc) => {
        if (!rc.operation || rc.contextValue.transport !== 'http' || rc.request.query === undefined) return null;
        const cacheable = this.analyse(rc.schema, rc.document, rc.operation);
        if (!cacheable) return null;
        let region, regionKey: string;
        try {
          const args = getArgumentValues(cacheable.field, cacheable.node, rc.request.variables);
          regionKey = args.region as string;
          // the memoized check the resolver's guard awaits too: one token, checked once
          region = await rc.contextValue.auth.region(regionKey);
        } catch {
          return null; // execution reports the bad argument or the refusal, with its code
        }
        const version = await cache.version(region.regionId);
        if (!version) return null;
        cache.countMiss();
        pending = { key: cache.key(rc.request.query, rc.request.operationName, rc.request.variables), regionKey, regionId: region.regionId, version };
        rc.contextValue.pageCache = {};
        return null;
      },
      willSendResponse: async (rc) => {
        const note = rc.contextValue.pageCache;
        const body = rc.response.body;
        if (!pending || note?.full === undefined || body?.kind !== 'single') return;
        const result = body.singleResult;
        if (result.errors || !result.data || result.extensions || (rc.response.http.status ?? 200) !== 200) return;
        // Apollo's own serialisation (prettyJSONStringify) of a result without errors
        cache.store(pending.key, { ...pending, full: note.full, body: Buffer.from(JSON.stringify({ data: result.data }) + '\n') });
      },
    };
  }
}
