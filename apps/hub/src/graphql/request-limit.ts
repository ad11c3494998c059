import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { decodePublicKey } from '@kiki/crypto';
import { BodyReader } from '../common/body';
import { HubError, RateLimitedError } from '../common/errors';
import { RateLimits } from '../common/rate-limits';
import { sameSecret } from '../common/same-secret';
import { HubConfig } from '../config/hub-config';

export const GRAPHQL_PATH = '/graphql';

const TOKEN_SHAPE = /^Kiki ([1-9A-HJ-NP-Za-km-z]{32,44})\.([1-9A-HJ-NP-Za-km-z]{40,360})$/;

/**
 * What can be known of a GraphQL request's credentials before its body names the region:
 * the operator's token is checked in full; a membership token only in form (its region is in
 * the body). Requests with neither get the small anonymous limit.
 */
export function credentialsBeforeBody(authorization: string | undefined, adminToken: string | undefined): 'admin' | 'member' | 'none' {
  if (!authorization) return 'none';
  const header = authorization.trim();
  if (adminToken && header.startsWith('Bearer ') && sameSecret(header.slice(7).trim(), adminToken)) return 'admin';
  const m = TOKEN_SHAPE.exec(header);
  if (!m) return 'none';
  try {
    decodePublicKey(m[1], 'person');
  } catch {
    return 'none';
  }
  return 'member';
}

const ADDRESS_LIMIT_TAKEN = Symbol('kiki.graphqlAddressLimitTaken');

/**
 * The per-address rate limit of POST /graphql, taken once per request whichever path answers it:
 * the page cache's fast path (before Express) or GraphqlRequestLimit (inside Express).
 */
export function takeAddressLimit(limits: RateLimits, req: IncomingMessage): Promise<void> {
  const r = req as IncomingMessage & { [ADDRESS_LIMIT_TAKEN]?: true };
  if (r[ADDRESS_LIMIT_TAKEN]) return Promise.resolve();
  r[ADDRESS_LIMIT_TAKEN] = true;
  return limits.take('address', req.socket.remoteAddress ?? '?');
}

/** 429 with Retry-After and the GraphQL error shape (code RATE_LIMITED); the connection is closed. */
export function sendRateLimited(res: ServerResponse, err: RateLimitedError): void {
  const body = JSON.stringify({ errors: [{ message: err.message, extensions: { code: 'RATE_LIMITED', retryAfter: err.retryAfterSeconds } }] });
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': String(err.retryAfterSeconds), connection: 'close' });
  res.end(body);
}

/**
 * Reads GraphQL request bodies (POST /graphql) itself, ahead of the page cache and Apollo:
 * a declared length is required, compressed bodies are refused, and the limit depends on the
 * credentials (GRAPHQL_MAX_BODY_BYTES with a well-formed token, GRAPHQL_ANONYMOUS_BODY_BYTES
 * without). Mounted while the app is being built (providers are made before the page cache's
 * middleware and Apollo are mounted), so it runs ahead of them.
 */
@Injectable()
export class GraphqlRequestLimit {
  constructor(host: HttpAdapterHost, @Inject(HubConfig) config: HubConfig, @Inject(BodyReader) reader: BodyReader, @Inject(RateLimits) limits: RateLimits) {
    const max = config.GRAPHQL_MAX_BODY_BYTES;
    host.httpAdapter?.use(GRAPHQL_PATH, (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'POST') return next();
      const refuse = (status: number, code: string, message: string, maximum?: number) =>
        res.status(status).json({ errors: [{ message, extensions: { code, ...(maximum ? { maximum } : {}) } }] });
      const declared = req.headers['content-length'];
      // a chunked body would be read before its size is known
      if (declared === undefined) {
        res.setHeader('Connection', 'close');
        return refuse(411, 'BAD_REQUEST', 'send the GraphQL request with a Content-Length header');
      }
      const limit = credentialsBeforeBody(req.headers.authorization, config.ADMIN_TOKEN) === 'none' ? Math.min(max, config.GRAPHQL_ANONYMOUS_BODY_BYTES) : max;
      takeAddressLimit(limits, req)
        .then(() => reader.read(req, res, 'json', limit))
        .then(
        (body) => {
          // Apollo needs an object; an empty body is then refused by it as a missing query
          req.body = body ?? {};
          next();
        },
        (err: unknown) => {
          if (!(err instanceof HubError)) return next(err);
          if (err instanceof RateLimitedError) return sendRateLimited(res, err);
          if (err.code === 'TOO_LARGE') {
            const hint = limit < max ? ' without credentials; send a valid Authorization header to submit more' : '. Submit fewer envelopes per request';
            return refuse(413, 'REQUEST_TOO_LARGE', `the request body is ${declared} bytes; this hub accepts at most ${limit} on /graphql${hint}`, limit);
          }
          return refuse(err.status, err.code === 'BAD_REQUEST' ? 'BAD_REQUEST' : err.code, err.message);
        },
      );
    });
  }
}
