import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { AdminConfig } from '../config/admin-config';
import { cookieName, readCookie } from '../session/cookies';
import { sameOrigin } from '../session/origin';
import type { SessionStore } from '../session/session.store';

const PROTOCOL = 'graphql-transport-ws';
const MAX_MESSAGE = 64 * 1024;

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Close codes a server may send on (1005/1006/1015 are reserved for "none was received"). */
function sendable(code: number): number {
  return code === 1000 || (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999) ? code : 1011;
}

/**
 * graphql-ws through the admin app: the browser's socket is authenticated by its session cookie
 * (and Origin), and its `connection_init` is rewritten to carry the session's hub token, which a
 * byte-level proxy could not do. Every other message passes unchanged in both directions. The
 * relay closes when the admin session ends (logout, expiry).
 */
export class WsRelay {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, handleProtocols: (p) => (p.has(PROTOCOL) ? PROTOCOL : false) });
  private readonly bySession = new Map<string, Set<WebSocket>>();

  constructor(
    private readonly config: AdminConfig,
    private readonly store: SessionStore,
  ) {
    store.onEnd((key) => {
      for (const ws of this.bySession.get(key) ?? []) ws.close(4401, 'session ended');
      this.bySession.delete(key);
    });
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrade(req, socket, head).catch(() => refuse(socket, '500 Internal Server Error'));
    });
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'admin app shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (new URL(req.url ?? '/', 'http://admin').pathname !== '/graphql') return refuse(socket, '404 Not Found');
    const protocol = this.config.ADMIN_TRUST_PROXY_HOPS > 0 && req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
    if (!sameOrigin(req, this.config.ADMIN_PUBLIC_ORIGIN, protocol)) return refuse(socket, '403 Forbidden');
    const sid = readCookie(req, cookieName(this.config.cookieSecure));
    const session = await this.store.get(sid);
    if (!sid || !session) return refuse(socket, '401 Unauthorized');
    const key = this.store.keyOf(sid);
    this.wss.handleUpgrade(req, socket, head, (browser) => {
      let sockets = this.bySession.get(key);
      if (!sockets) this.bySession.set(key, (sockets = new Set()));
      sockets.add(browser);
      browser.on('close', () => sockets.delete(browser));
      this.relay(browser, session.hubToken);
    });
  }

  private relay(browser: WebSocket, hubToken: string): void {
    const hub = new WebSocket(`${this.config.hubUrl.replace(/^http/, 'ws')}/graphql`, PROTOCOL, { maxPayload: 16 * 1024 * 1024 });
    const pending: string[] = [];
    let initialised = false;
    browser.on('message', (data, isBinary) => {
      if (isBinary) return browser.close(4400, 'text messages only');
      let text = data.toString();
      if (!initialised) {
        let msg: { type?: unknown } | undefined;
        try {
          msg = JSON.parse(text);
        } catch {
          return browser.close(4400, 'invalid message');
        }
        if (msg?.type !== 'connection_init') return browser.close(4401, 'connection_init first');
        initialised = true;
        text = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${hubToken}` } });
      }
      if (hub.readyState === WebSocket.OPEN) hub.send(text);
      else pending.push(text);
    });
    hub.on('open', () => {
      for (const text of pending.splice(0)) hub.send(text);
    });
    hub.on('message', (data) => {
      if (browser.readyState === WebSocket.OPEN) browser.send(data.toString());
    });
    hub.on('close', (code, reason) => browser.close(sendable(code), reason.toString().slice(0, 120)));
    hub.on('error', () => browser.close(1011, 'the hub is unreachable'));
    browser.on('close', () => (hub.readyState === WebSocket.CONNECTING ? hub.terminate() : hub.close(1000)));
  }
}
