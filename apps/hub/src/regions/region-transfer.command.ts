import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createDataSource, exportRegion, importRegion, RegionTransferError, type TransferCounts } from '@kiki/storage';
import type { HubConfig } from '../config/hub-config';

/** Progress on stderr, at most once a second (stdout may carry the export itself). */
function progress(verb: string): (c: TransferCounts) => void {
  let last = 0;
  return (c) => {
    if (Date.now() - last < 1000) return;
    last = Date.now();
    process.stderr.write(`${verb}: ${Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
  };
}

/**
 * The lines of a file (or stdin), read only once the import asks for them: a readline interface
 * made earlier would emit its first lines before anyone listens, and they would be lost.
 */
async function* linesOf(file: string | null): AsyncGenerator<string> {
  const input = file ? createReadStream(file) : process.stdin;
  yield* createInterface({ input, crlfDelay: Infinity });
}

/**
 * `region export <key>` (to stdout) and `region import-file <key> [file|-]`: moving a region
 * between hubs (libs/storage/src/region-transfer.ts). Plain storage, no app context, so nothing
 * but the export reaches stdout. Returns the exit code.
 */
export async function regionTransferCommand(config: HubConfig, verb: 'export' | 'import-file', key: string | undefined, file: string | undefined): Promise<number> {
  if (!key) {
    process.stderr.write(`region ${verb} needs the region public key\n`);
    return 64;
  }
  const ds = createDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: `kiki-region-${verb}` });
  await ds.initialize();
  const started = Date.now();
  try {
    if (verb === 'export') {
      let counts: TransferCounts | null = null;
      for await (const line of exportRegion(ds, key, (c) => {
        counts = c;
        progress('exported')(c);
      })) {
        if (!process.stdout.write(line + '\n')) await once(process.stdout, 'drain');
      }
      process.stderr.write(`exported region ${key}: ${JSON.stringify(counts ?? {})} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return 0;
    }
    const counts = await importRegion(ds, key, linesOf(file && file !== '-' ? file : null), progress('imported'));
    process.stdout.write(`imported region ${key}: ${JSON.stringify(counts)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (err) {
    if (err instanceof RegionTransferError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`error: no file ${file}\n`);
      return 2;
    }
    throw err;
  } finally {
    await ds.destroy();
  }
}
