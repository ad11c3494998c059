import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The entry point of a generator script (`npm run openapi`, `npm run schema`): writes what
 * `generate` returns to `path` (relative to the working directory) and exits 0, or prints the
 * failure and exits 1.
 */
export function writeGenerated(generate: () => Promise<string>, path: string): void {
  void generate()
    .then((text) => {
      writeFileSync(resolve(process.cwd(), path), text);
      process.stdout.write(`wrote ${path}\n`);
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${path} not written: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
