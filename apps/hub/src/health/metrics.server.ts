import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import { HubConfig } from '../config/hub-config';
import { HubMetrics } from './metrics';

/** With METRICS_PORT set, /metrics is served here (bound to METRICS_HOST) and not on the public port. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly metrics: HubMetrics,
    private readonly host: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // only beside an HTTP app (not in the CLI or the worker's application context)
    if (!this.config.METRICS_PORT || !this.host.httpAdapter) return;
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    server.requestTimeout = 10_000;
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(this.config.METRICS_PORT, this.config.METRICS_HOST, () => ok()));
    this.server = server;
    this.log.log({ msg: 'metrics served on the internal port', url: `http://${this.config.METRICS_HOST}:${this.address()}/metrics` });
  }

  /** The port actually bound (METRICS_PORT), for tests. */
  address(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    server.closeAllConnections();
    await closed;
  }
}
