import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { KikiCryptoError } from '@kiki/crypto';
import type { Request, Response } from 'express';
import { ERROR_STATUS, HubError, type HubErrorCode, isDatabaseUnavailable, RateLimitedError } from './errors';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

/** Turns any thrown error into one JSON shape with a stable code (the only place that does). */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof HubError) return { statusCode: err.status, code: err.code, message: err.message, field: err.field };
  if (err instanceof KikiCryptoError) {
    const code = err.code as HubErrorCode;
    const field = (err as { field?: string }).field;
    return { statusCode: ERROR_STATUS[code] ?? 400, code, message: err.message, ...(field ? { field } : {}) };
  }
  // body-parser errors carry `type` and `status`
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large') {
    return { statusCode: 413, code: 'TOO_LARGE', message: `request body is larger than the ${e.limit} bytes allowed` };
  }
  if (e?.type === 'entity.parse.failed') {
    return { statusCode: 400, code: 'BAD_REQUEST', message: `request body is not valid JSON: ${e.message}` };
  }
  if (e?.type && e.status && e.status < 500) return { statusCode: e.status, code: 'BAD_REQUEST', message: e.message ?? e.type };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse() as string | { message?: string | string[] };
    const message = typeof res === 'string' ? res : Array.isArray(res.message) ? res.message.join('; ') : (res.message ?? err.message);
    const code = status === 404 ? 'NOT_FOUND' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 413 ? 'TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
    return { statusCode: status, code, message };
  }
  if (isDatabaseUnavailable(err)) return { statusCode: 503, code: 'UNAVAILABLE', message: 'the hub cannot reach its database right now; try again shortly' };
  return { statusCode: 500, code: 'INTERNAL', message: 'internal error' };
}

const KIKI_ROUTE = /^\/r\//;

/** Writes an error in the shape of the route: kiki's on the original routes, the hub's elsewhere. */
export function writeHubError(req: Request, res: Response, err: unknown): void {
  const body = toErrorBody(err);
  if (res.headersSent) return;
  // a refusal before the body was read (unknown route, bad token): do not read the rest of it
  if (!req.complete) res.setHeader('Connection', 'close');
  if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  else if (body.statusCode === 503) res.setHeader('Retry-After', '1');
  // The original kiki routes keep kiki's shape: the original reads only `status` and `error`.
  if (KIKI_ROUTE.test(req.path)) res.status(body.statusCode).json({ status: 'error', error: body.message, code: body.code });
  else res.status(body.statusCode).json(body);
}

@Catch()
export class HubExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HubExceptionFilter');

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw err;
    const body = toErrorBody(err);
    if (body.statusCode === 503) this.log.warn({ msg: 'answered 503', reason: err instanceof Error ? err.message : String(err) });
    else if (body.statusCode >= 500) this.log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    writeHubError(host.switchToHttp().getRequest<Request>(), host.switchToHttp().getResponse<Response>(), err);
  }
}
