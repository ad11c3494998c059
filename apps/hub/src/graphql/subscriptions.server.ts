import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import { type DocumentNode, GraphQLError, getOperationAST, parse, validate } from './graphql-js';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { HubConfig } from '../config/hub-config';
import { HubMetrics } from '../health/metrics';
import { GqlContextFactory } from './auth/context.factory';
import type { RequestAuth } from './auth/request-auth';
import { MAX_SUBSCRIPTIONS_PER_SOCKET, MAX_WS_MESSAGE_BYTES } from './dto/limits';
import { formatGraphqlError } from './errors';
import { checkLimits } from './limits';
import { GRAPHQL_PATH } from './request-limit';

type Params = { authorization?: unknown; region?: unknown };
type Extra = { socket: WebSocket; request: IncomingMessage };

/** Refuses an upgrade with a plain HTTP answer (the socket is not a WebSocket yet). */
function refuseUpgrade(socket: Duplex, status: number, text: string, retryAfter?: number): void {
  const headers = [`HTTP/1.1 ${status} ${text}`, 'Connection: close', 'Content-Type: text/plain', `Content-Length: ${Buffer.byteLength(text)}`];
  if (retryAfter) headers.push(`Retry-After: ${retryAfter}`);
  socket.end(`${headers.join('\r\n')}\r\n\r\n${text}`);
}

/**
 * graphql-ws on /graphql (protocol `graphql-transport-ws`), for subscriptions only: queries and
 * mutations go over HTTP, where every request carries a fresh token. The credentials are checked
 * when the socket connects: `connectionParams.authorization` with the operator's token, or a
 * membership token with `connectionParams.region` (the token is spent then; it serves every
 * subscription of that region on the socket). Sockets are capped per address and in total, and
 * a socket that holds no subscription for WS_IDLE_SECONDS is closed.
 */
@Injectable()
export class SubscriptionServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SubscriptionServer.name);
  private wss?: WebSocketServer;
  private disposable?: { dispose(): void | Promise<void> };
  private readonly auths = new WeakMap<Context<Params>, RequestAuth>();
  private readonly perAddress = new Map<string, number>();
  /** connected sockets and since when each holds no subscription (undefined: it holds one) */
  private readonly idleSince = new Map<Context<Params, Extra>, number | undefined>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly config: HubConfig,
    private readonly contexts: GqlContextFactory,
    private readonly metrics: HubMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.host.httpAdapter?.getHttpServer();
    if (!server) return; // an application context (CLI, worker): nothing to serve
    const schema = this.schemaHost.schema;
    const limits = { maxDepth: this.config.GRAPHQL_MAX_DEPTH, maxComplexity: this.config.GRAPHQL_MAX_COMPLEXITY };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
    this.disposable = useServer<Params>(
      {
        schema,
        onConnect: async (ctx) => {
          // credentials are checked now, not at the first subscription: a refused socket is closed with 4403
          const { authorization, region } = ctx.connectionParams ?? {};
          if (typeof authorization !== 'string' || !authorization) return this.refused('no_credentials');
          const auth = this.contexts.auth(authorization);
          try {
            if (authorization.trim().startsWith('Bearer ')) auth.requireAdmin();
            else if (typeof region === 'string') await auth.region(region);
            else return this.refused('no_region');
          } catch {
            return this.refused('unauthenticated');
          }
          this.auths.set(ctx, auth);
          this.idleSince.set(ctx as Context<Params, Extra>, Date.now());
          return true;
        },
        onClose: (ctx) => {
          this.idleSince.delete(ctx as Context<Params, Extra>);
        },
        onOperation: (ctx) => {
          if (this.idleSince.has(ctx as Context<Params, Extra>)) this.idleSince.set(ctx as Context<Params, Extra>, undefined);
        },
        onComplete: (ctx) => {
          // the subscription ended: the socket is idle from now on if it was the last one
          setImmediate(() => {
            const c = ctx as Context<Params, Extra>;
            if (this.idleSince.get(c) === undefined && this.idleSince.has(c) && Object.keys(ctx.subscriptions).length === 0) this.idleSince.set(c, Date.now());
          });
        },
        onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
          if (Object.keys(ctx.subscriptions).length >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
            return [new GraphQLError(`a socket may hold ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; open another socket`, { extensions: { code: 'BAD_USER_INPUT' } })];
          }
          let document: DocumentNode;
          try {
            document = parse(payload.query, { maxTokens: 5000 });
          } catch (err) {
            return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
          }
          const errors = validate(schema, document);
          if (errors.length) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
          if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
            return [new GraphQLError('only subscriptions are served over WebSocket; send queries and mutations with POST /graphql', { extensions: { code: 'BAD_USER_INPUT' } })];
          }
          const refusal = checkLimits(limits, { schema, document, operationName: payload.operationName, variables: payload.variables ?? undefined });
          if (refusal) return [refusal];
          return {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: this.contexts.ws(this.auths.get(ctx)!),
          };
        },
        onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatGraphqlError(e.toJSON(), e)),
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map((e) => formatGraphqlError(e.toJSON(), e)) } : undefined,
      },
      this.wss,
      12_000,
    );
    // after graphql-ws's own listener: its error handler prints a bare stack trace (console.error);
    // ours logs one JSON line. ws has already closed the socket (1009 for an oversized message).
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
      ws.removeAllListeners('error');
      ws.on('error', (err: Error & { code?: string }) => {
        this.metrics.wsRefused.inc({ reason: err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message_too_large' : 'protocol_error' });
        this.log.warn({ msg: 'websocket closed on a client error', code: err.code, error: err.message, remote: req.socket.remoteAddress, maxMessageBytes: MAX_WS_MESSAGE_BYTES });
        if (ws.readyState === ws.OPEN) ws.close(1011);
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://hub').pathname !== GRAPHQL_PATH) return;
      const address = req.socket.remoteAddress ?? '?';
      if (this.wss!.clients.size >= this.config.WS_MAX_SOCKETS) {
        this.metrics.wsRefused.inc({ reason: 'hub_full' });
        return refuseUpgrade(socket, 503, 'Service Unavailable', 5);
      }
      if ((this.perAddress.get(address) ?? 0) >= this.config.WS_MAX_SOCKETS_PER_ADDRESS) {
        this.metrics.wsRefused.inc({ reason: 'address_full' });
        return refuseUpgrade(socket, 429, 'Too Many Requests', 5);
      }
      this.wss!.handleUpgrade(req, socket, head, (ws) => {
        this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
        ws.once('close', () => {
          const n = (this.perAddress.get(address) ?? 1) - 1;
          if (n > 0) this.perAddress.set(address, n);
          else this.perAddress.delete(address);
        });
        this.wss!.emit('connection', ws, req);
      });
    });
    const idleMs = this.config.WS_IDLE_SECONDS * 1000;
    this.sweeper = setInterval(() => this.closeIdle(idleMs), Math.max(250, Math.min(idleMs / 4, 5000)));
    this.sweeper.unref();
    this.log.log({ msg: 'graphql-ws subscriptions ready', path: GRAPHQL_PATH });
  }

  private refused(reason: string): false {
    this.metrics.wsRefused.inc({ reason });
    return false;
  }

  /** Sockets that held no subscription for idleMs are closed (4408, as graphql-ws closes an unfinished init). */
  private closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const [ctx, since] of this.idleSince) {
      if (since === undefined) continue;
      if (Object.keys(ctx.subscriptions).length > 0) {
        this.idleSince.set(ctx, undefined);
      } else if (now - since >= idleMs) {
        this.idleSince.delete(ctx);
        this.metrics.wsRefused.inc({ reason: 'idle' });
        ctx.extra.socket.close(4408, 'no subscription: idle socket closed');
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const client of this.wss?.clients ?? []) client.close(1001, 'hub shutting down');
    await this.disposable?.dispose();
    this.wss?.close();
  }
}
