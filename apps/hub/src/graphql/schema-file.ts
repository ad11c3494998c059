import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from './graphql-js';
import { createHubApp } from '../bootstrap';
import { writeGenerated } from '../common/write-generated';
import { loadConfig } from '../config/hub-config';

const HEADER = '# Generated from the code by `npm run schema`; test/graphql/schema.spec.ts fails when this file and the code differ.\n\n';

/** The SDL the hub serves, built by the code-first decorators exactly as at start-up. */
export async function generateGraphqlSchema(env: Record<string, string> = {}): Promise<string> {
  const config = loadConfig({
    NODE_ENV: 'test',
    // Nest connects on boot; no query runs, so any reachable database will do.
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    HUB_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    RUN_WORKERS: 'false',
    ...env,
  });
  const app = await createHubApp(config, { logger: false });
  try {
    await app.init();
    return HEADER + printSchema(app.get(GraphQLSchemaHost).schema) + '\n';
  } finally {
    await app.close();
  }
}

if (require.main === module) writeGenerated(generateGraphqlSchema, 'schema.gql');
