import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createHubApp, openApiDocument } from './bootstrap';
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

if (require.main === module) {
  // a CLI entry point: a failure is printed and exits non-zero, as an unhandled rejection did
  void generateOpenApi()
    .then((doc) => {
      writeFileSync(resolve(process.cwd(), 'docs/openapi.json'), doc);
      process.stdout.write('wrote docs/openapi.json\n');
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`docs/openapi.json not written: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
