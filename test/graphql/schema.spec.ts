import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateGraphqlSchema } from '../../apps/hub/src/graphql/schema-file';
import { createTestDatabase, testRedisPrefix } from '../support/db';

describe('schema.gql', () => {
  it('matches the code (run `npm run schema` after changing a model, argument or resolver)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../schema.gql'), 'utf8');
    const db = await createTestDatabase();
    try {
      expect(await generateGraphqlSchema({ DATABASE_URL: db.url, REDIS_PREFIX: testRedisPrefix('schema') })).toBe(committed);
    } finally {
      await db.drop();
    }
  });
});
