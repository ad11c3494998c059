/**
 * Bringing over what the old reference client (the `client/` of issue 11, `~/.kiki-hub-client`)
 * kept: its identity file (the same format; the friends key it never made comes on the next sync)
 * and one JSON-lines store per region (data/<region>/, FileEnvelopeStore), copied into this
 * client's LevelDB stores with their tombstones and sync cursors. The old directory is left as it
 * was (its store's lock file is taken while copying, as the old client did).
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '@kiki/crypto';
import { FileEnvelopeStore } from './file-store';
import { IdentityError, loadIdentity, saveIdentity } from './identity';
import { LevelEnvelopeStore } from './level-store';
import { regionStoreDir } from './session';

/** Where the old client kept everything unless told otherwise. */
export function oldClientHome(env: Record<string, string | undefined> = process.env): string {
  return env.KIKI_HUB_CLIENT_HOME ?? join(env.HOME ?? homedir(), '.kiki-hub-client');
}

/** The old client's identity file in `home`, when there is one. */
export async function findOldClient(home: string): Promise<string | null> {
  const identity = join(home, 'identity.json');
  return fs.stat(identity).then(
    (st) => (st.isFile() ? identity : null),
    () => null,
  );
}

export interface MigrationReport {
  from: string;
  /** the identity was written (false: the same person's identity was already there) */
  identityCopied: boolean;
  regions: Array<{ region: string; envelopes: number; tombstones: number; syncStates: number; skipped?: string }>;
}

const BATCH = 1000;

/**
 * Copies the old client's identity and stores. Refuses (IDENTITY_EXISTS) when `identityPath`
 * holds another person's identity; with the same person it only adds the data (safe to run again:
 * envelopes already held are not stored twice).
 */
export async function migrateOldClient(opts: { from: string; identityPath: string; dataDir: string }): Promise<MigrationReport> {
  const oldIdentityPath = await findOldClient(opts.from);
  if (!oldIdentityPath) throw new IdentityError('IDENTITY_MISSING', `no identity of the old client at ${join(opts.from, 'identity.json')}`);
  const old = await loadIdentity(oldIdentityPath, { insecureMode: 'refuse' });
  let identityCopied = false;
  const current = await loadIdentity(opts.identityPath).catch((err: unknown) => {
    if (err instanceof IdentityError && err.code === 'IDENTITY_MISSING') return null;
    throw err;
  });
  if (current && current.person.public !== old.person.public) {
    throw new IdentityError('IDENTITY_EXISTS', `${opts.identityPath} holds another person (${current.person.public}); move it away first, it holds that person's private key`);
  }
  if (!current) {
    await saveIdentity(opts.identityPath, old);
    identityCopied = true;
  }
  const report: MigrationReport = { from: opts.from, identityCopied, regions: [] };
  for (const region of old.regions) {
    const dir = regionStoreDir(join(opts.from, 'data'), region.public);
    if (!(await fs.stat(dir).then(() => true, () => false))) {
      report.regions.push({ region: region.public, envelopes: 0, tombstones: 0, syncStates: 0, skipped: 'no local store' });
      continue;
    }
    const source = await FileEnvelopeStore.open(dir, { region: region.public });
    try {
      const target = await LevelEnvelopeStore.open(regionStoreDir(opts.dataDir, region.public), { region: region.public });
      try {
        const row = { region: region.public, envelopes: 0, tombstones: 0, syncStates: 0 };
        let batch: Envelope[] = [];
        const flush = async () => {
          row.envelopes += (await target.put(batch)).added.length;
          batch = [];
        };
        for await (const env of source.scan()) {
          batch.push(env);
          if (batch.length === BATCH) await flush();
        }
        await flush();
        const tombstones = (await source.list()).filter((e) => e.tombstone !== undefined).map((e) => ({ id: e.id, reason: e.tombstone!, tsMs: e.tsMs }));
        row.tombstones = tombstones.length ? await target.markTombstones(tombstones) : 0;
        // The cursors stay valid: every envelope they cover was just copied.
        for (const s of await source.listSyncStates()) {
          if (await target.loadSyncState(s.hub, s.region)) continue;
          await target.saveSyncState(s.hub, s.region, s.state);
          row.syncStates++;
        }
        report.regions.push(row);
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  }
  return report;
}
