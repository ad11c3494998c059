import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 15: one Redis connection factory. Every ioredis client of the hub is made by redisClient()
// in apps/hub/src/redis/redis-roles.ts, with its role's options from the one table there.
const ROOT = resolve(__dirname, '../..');
const FACTORY = 'apps/hub/src/redis/redis-roles.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('Redis connections', () => {
  it('are built in one file of the hub, with the options of a role', () => {
    const builders = tsFiles(join(ROOT, 'apps/hub/src'))
      .filter((file) => /new (Redis|Cluster|IORedis)\s*\(|\.duplicate\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(builders).toEqual([FACTORY]);
  });
});
