import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testRedisPrefix } from '../../../test/support/db';
import { generateOpenApi } from '../src/openapi';

describe('docs/openapi.json', () => {
  it('matches the code (run `npm run openapi` after changing a route or DTO)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../../docs/openapi.json'), 'utf8');
    const db = await createTestDatabase();
    try {
      expect(JSON.parse(await generateOpenApi({ DATABASE_URL: db.url, REDIS_PREFIX: testRedisPrefix('openapi') }))).toEqual(JSON.parse(committed));
    } finally {
      await db.drop();
    }
  });
});
