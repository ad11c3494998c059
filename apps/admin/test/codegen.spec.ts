import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');

/**
 * The dashboard's GraphQL documents are typed from the committed schema.gql (src/gql, committed so
 * a clean clone typechecks). CI runs no build, so this is where an API change that breaks a
 * document, or a document changed without regenerating, fails: `npm run build:admin-web` fixes
 * the second; the first needs the dashboard changed with the API.
 */
describe('dashboard GraphQL documents', () => {
  it('are valid against schema.gql and their committed types are current', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: resolve(root, 'apps/admin/web/codegen.yml') });
    const files = (await generate({ ...config, cwd: root, silent: true, errorsOnly: true }, false)) as { filename: string; content: string }[];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const committed = readFileSync(resolve(root, file.filename), 'utf8');
      expect(committed, `${file.filename} is stale: run npm run build:admin-web`).toBe(file.content);
    }
  }, 60_000);
});
