import { HttpException, Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { KikiCryptoError } from '@kiki/crypto';
import type { GraphQLFormattedError } from 'graphql';
import { HubError, type HubErrorCode, isDatabaseUnavailable, RateLimitedError } from '../common/errors';

/**
 * GraphQL error codes (`extensions.code`): the few a client branches on. The precise hub code
 * (INVALID_KEY, TOKEN_EXPIRED, UNKNOWN_REGION, ...) travels as `extensions.reason`.
 */
export type GqlErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

const BY_HUB_CODE: Partial<Record<HubErrorCode | string, GqlErrorCode>> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  TOKEN_EXPIRED: 'UNAUTHENTICATED',
  TOKEN_REPLAYED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  UNKNOWN_REGION: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAVAILABLE: 'UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
};

const log = new Logger('GraphQL');

/**
 * Apollo's formatError: every error leaves with a stable code and a message the client author
 * can act on; unexpected errors are logged and masked. (The HTTP exception filter hands GraphQL
 * errors through unchanged, so this is the GraphQL half of the one error mapping.)
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof HubError) {
    const code = BY_HUB_CODE[original.code] ?? (original.status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR');
    const retry = original instanceof RateLimitedError ? { retryAfter: original.retryAfterSeconds } : {};
    return { ...base, message: original.message, extensions: { code, reason: original.code, ...(original.field ? { field: original.field } : {}), ...original.details, ...retry } };
  }
  if (original instanceof KikiCryptoError) {
    return { ...base, message: original.message, extensions: { code: 'BAD_USER_INPUT', reason: original.code } };
  }
  if (original instanceof HttpException) {
    // class-validator messages from the ValidationPipe (argument bounds)
    const res = original.getResponse() as string | { message?: string | string[] };
    const message = typeof res === 'string' ? res : Array.isArray(res.message) ? res.message.join('; ') : (res.message ?? original.message);
    const status = original.getStatus();
    const code: GqlErrorCode = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
    return { ...base, message, extensions: { code } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // parse/validation/limit errors made by graphql-js, Apollo or the limits plugin: already coded
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...base, extensions };
  }
  if (isDatabaseUnavailable(original)) {
    return { ...base, message: 'the hub cannot reach its database right now; try again shortly', extensions: { code: 'UNAVAILABLE' } };
  }
  log.error({ msg: 'graphql resolver failed', err: original instanceof Error ? (original.stack ?? original.message) : String(original), path: formatted.path });
  return { ...base, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
