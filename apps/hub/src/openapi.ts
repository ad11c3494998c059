import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createHubApp, openApiDocument } from './bootstrap';
import { writeGenerated } from './common/write-generated';
import { loadConfig } from './config/hub-config';

/** Writes docs/openapi.json from the code (a test fails when the committed file differs). */
export async function generateOpenApi(env: Record<string, string> = {}): Promise<string> {
  const config = loadConfig({
    NODE_ENV: 'test',
    // Nest connects on boot; no query runs, so any reachable database will do.
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    HUB_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createHubApp(config, { logger: false });
  try {
    return JSON.stringify(openApiDocument(app), null, 2) + '\n';
  } finally {
    await app.close();
  }
}

if (require.main === module) writeGenerated(generateOpenApi, 'docs/openapi.json');
