import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import { type DocumentNode, GraphQLError, getOperationAST, parse, validate } from './graphql-js';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { HubConfig } from '../config/hub-config';
import { GqlContextFactory } from './auth/context.factory';
import type { RequestAuth } from './auth/request-auth';
import { MAX_SUBSCRIPTIONS_PER_SOCKET, MAX_WS_MESSAGE_BYTES } from './dto/limits';
import { formatGraphqlError } from './errors';
import { checkLimits } from './limits';
import { GRAPHQL_PATH } from './request-limit';

type Params = { authorization?: unknown };

/**
 * graphql-ws on /graphql (protocol `graphql-transport-ws`), for subscriptions only: queries and
 * mutations go over HTTP, where every request carries a fresh token. The socket's
 * `connectionParams.authorization` is checked when a subscription first names its region.
 */
@Injectable()
export class SubscriptionServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SubscriptionServer.name);
  private wss?: WebSocketServer;
  private disposable?: { dispose(): void | Promise<void> };
  private readonly auths = new WeakMap<Context<Params>, RequestAuth>();

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly config: HubConfig,
    private readonly contexts: GqlContextFactory,
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
        onConnect: (ctx) => {
          const authorization = ctx.connectionParams?.authorization;
          // no credentials at all: close with 4403 instead of holding an idle socket
          if (typeof authorization !== 'string' || !authorization) return false;
          this.auths.set(ctx, this.contexts.auth(authorization));
          return true;
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
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://hub').pathname !== GRAPHQL_PATH) return;
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.wss!.emit('connection', ws, req));
    });
    this.log.log({ msg: 'graphql-ws subscriptions ready', path: GRAPHQL_PATH });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of this.wss?.clients ?? []) client.close(1001, 'hub shutting down');
    await this.disposable?.dispose();
    this.wss?.close();
  }
}
