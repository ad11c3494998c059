import { describe, expect, it } from 'vitest';
import { QueryFailedError } from 'typeorm';
import { RateLimitedError } from '../src/common/errors';
import { toErrorBody } from '../src/common/http-exception.filter';
import { formatGraphqlError } from '../src/graphql/errors';

describe('errors that mean "try again": never a 500', () => {
  const unreachable = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
    new QueryFailedError('SELECT 1', [], Object.assign(new Error('the database system is starting up'), { code: '57P03' })),
  ];

  it.each(unreachable.map((e) => [e.message, e]))('Postgres unreachable (%s) → 503 UNAVAILABLE', (_m, err) => {
    expect(toErrorBody(err)).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
    expect(formatGraphqlError({ message: 'x' }, err).extensions).toEqual({ code: 'UNAVAILABLE' });
  });

  it('a real bug is still a 500', () => {
    expect(toErrorBody(new TypeError('x is undefined')).statusCode).toBe(500);
    expect(toErrorBody(new QueryFailedError('SELECT', [], Object.assign(new Error('syntax error'), { code: '42601' }))).statusCode).toBe(500);
  });

  it('a rate limit is a 429 with its code, and RATE_LIMITED with retryAfter in GraphQL', () => {
    const err = new RateLimitedError('sender', 7);
    expect(toErrorBody(err)).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(formatGraphqlError({ message: 'x' }, err).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 7 });
  });
});
