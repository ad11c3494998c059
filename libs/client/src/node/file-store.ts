/**
 * The file store: one directory per region holding
 *   envelopes.jsonl  append-only log, one JSON record per line: {"k":"e","e":<envelope as received>}
 *                    or {"k":"t","id":…,"reason":…,"ts":…} for a tombstone learned from a hub;
 *   state.json       sync state per (hub, region), replaced atomically;
 *   lock             the pid of the process using the store (one writer at a time).
 * Envelopes are re-validated with parseEnvelope on every open; a record that no longer parses is
 * skipped and counted, never trusted.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { EnvelopeLimits } from '@kiki/crypto';
import { ensurePrivateDir, isNotFound, syncDir, writeFileAtomic } from './fs-util';
import {
  type EnvelopeStore,
  IndexedEnvelopeStore,
  keepsBody,
  type PutResult,
  StoreIndex,
  type SyncState,
  splitSyncStateKey,
  syncStateKey,
  type Tombstone,
} from './store';

const LOG = 'envelopes.jsonl';
const STATE = 'state.json';
const LOCK = 'lock';
const STATE_VERSION = 1;

export class StoreLockedError extends Error {
  readonly code = 'STORE_LOCKED';
  constructor(dir: string, pid: number) {
    super(`the store ${dir} is in use by process ${pid}; wait for it to finish`);
    this.name = 'StoreLockedError';
  }
}

export class StoreError extends Error {
  readonly code = 'STORE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface FileStoreOptions {
  /** The region this directory holds: checked against (or written to) state.json on open. */
  region?: string;
  limits?: Partial<EnvelopeLimits>;
  /** Rewrite the log on open when it holds more dead records than this and than live ones (default 1000). */
  compactThreshold?: number;
}

/** What open() found while replaying the log. */
export interface LoadReport {
  records: number;
  /** records that no longer parse (corrupt, or invalid under the current limits): skipped */
  skipped: number;
  /** bytes of an unfinished last line (a crash mid-append) cut off */
  truncatedBytes: number;
}

interface StateFile {
  version: number;
  region?: string;
  sync: Record<string, SyncState>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(dir: string): Promise<string> {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fs.open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new StoreLockedError(dir, pid);
    if (pid === process.pid) throw new StoreLockedError(dir, pid);
    // The holder died without cleaning up (crash, kill -9): the lock is stale.
    await fs.rm(path, { force: true });
  }
  throw new StoreError(`could not take the lock of ${dir}`);
}

export class FileEnvelopeStore extends IndexedEnvelopeStore implements EnvelopeStore {
  private log: fs.FileHandle | null = null;
  private state: StateFile = { version: STATE_VERSION, sync: {} };
  private deadRecords = 0;
  private liveRecords = 0;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    protected readonly index: StoreIndex,
    private readonly lockPath: string,
    readonly loadReport: LoadReport,
  ) {
    super();
  }

  /** Opens (creating if needed) the store in `dir`, taking its lock until close(). */
  static async open(dir: string, opts: FileStoreOptions = {}): Promise<FileEnvelopeStore> {
    await ensurePrivateDir(dir);
    const lockPath = await acquireLock(dir);
    try {
      const report: LoadReport = { records: 0, skipped: 0, truncatedBytes: 0 };
      const store = new FileEnvelopeStore(dir, new StoreIndex(opts.limits), lockPath, report);
      await store.loadState(opts.region);
      await store.replay();
      const threshold = opts.compactThreshold ?? 1000;
      if (store.deadRecords > threshold && store.deadRecords > store.liveRecords) await store.compact();
      store.log = await fs.open(join(dir, LOG), 'a', 0o600);
      return store;
    } catch (err) {
      await fs.rm(lockPath, { force: true });
      throw err;
    }
  }

  private async loadState(region?: string): Promise<void> {
    const path = join(this.dir, STATE);
    let text: string | null = null;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (text !== null) {
      let v: StateFile;
      try {
        v = JSON.parse(text) as StateFile;
      } catch {
        throw new StoreError(`${path} is not valid JSON`);
      }
      if (v?.version !== STATE_VERSION || typeof v.sync !== 'object' || v.sync === null) {
        throw new StoreError(`${path} is not a version ${STATE_VERSION} store state`);
      }
      this.state = v;
    }
    if (region) {
      // Envelopes of another region would be pushed to the wrong one (and refused there).
      if (this.state.region && this.state.region !== region) {
        throw new StoreError(`${this.dir} holds region ${this.state.region}, not ${region}`);
      }
      if (!this.state.region) {
        this.state.region = region;
        await writeFileAtomic(path, JSON.stringify(this.state), 0o600);
      }
    }
  }

  private async replay(): Promise<void> {
    const path = join(this.dir, LOG);
    let buf: Buffer;
    try {
      buf = await fs.readFile(path);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    let end = buf.length;
    if (end > 0 && buf[end - 1] !== 0x0a) {
      // A crash mid-append leaves a partial last line: cut it so later appends start clean.
      end = buf.lastIndexOf(0x0a) + 1;
      this.loadReport.truncatedBytes = buf.length - end;
      await fs.truncate(path, end);
    }
    let start = 0;
    while (start < end) {
      const nl = buf.indexOf(0x0a, start);
      const line = buf.subarray(start, nl).toString('utf8');
      start = nl + 1;
      if (line.trim() === '') continue;
      this.loadReport.records++;
      if (!this.applyRecord(line)) {
        this.loadReport.skipped++;
        this.deadRecords++;
      }
    }
  }

  private applyRecord(line: string): boolean {
    let rec: { k?: unknown; e?: unknown; id?: unknown; reason?: unknown; ts?: unknown };
    try {
      rec = JSON.parse(line);
    } catch {
      return false;
    }
    if (rec?.k === 'e') {
      const ok = this.index.load(rec.e);
      if (ok) this.liveRecords++;
      return ok;
    }
    if (rec?.k === 't' && typeof rec.id === 'string' && typeof rec.reason === 'string') {
      const ts = Number.isSafeInteger(rec.ts) ? (rec.ts as number) : null;
      this.index.markTombstones([{ id: rec.id, reason: rec.reason, tsMs: ts }]);
      // The envelope record it replaces is now dead weight unless its body is kept.
      if (!keepsBody(rec.reason)) this.deadRecords++;
      this.liveRecords++;
      return true;
    }
    return false;
  }

  /** Appends lines and flushes them to disk before resolving (a saved cursor must never run ahead of the data). */
  private append(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    if (!this.log) return Promise.reject(new StoreError('the store is closed'));
    const log = this.log;
    const run = this.writing.then(async () => {
      await log.write(lines.join(''));
      await log.datasync();
    });
    // Writes are serialized; a failed one must not wedge the queue.
    this.writing = run.catch(() => undefined);
    return run;
  }

  async put(envelopes: readonly unknown[]): Promise<PutResult> {
    const { result, toPersist } = this.index.put(envelopes);
    await this.append(toPersist.map((e) => `${JSON.stringify({ k: 'e', e })}\n`));
    this.liveRecords += toPersist.length;
    return result;
  }


  async markTombstones(tombstones: readonly Tombstone[]): Promise<number> {
    const changed = this.index.markTombstones(tombstones);
    await this.append(changed.map((t) => `${JSON.stringify({ k: 't', id: t.id, reason: t.reason, ts: t.tsMs ?? null })}\n`));
    return changed.length;
  }

  async loadSyncState(hub: string, region: string): Promise<SyncState | null> {
    const s = this.state.sync[syncStateKey(hub, region)];
    return s ? structuredClone(s) : null;
  }

  async saveSyncState(hub: string, region: string, state: SyncState): Promise<void> {
    // Data first: the cursor must never claim envelopes that are not on disk yet.
    await this.writing;
    const next: StateFile = { ...this.state, sync: { ...this.state.sync, [syncStateKey(hub, region)]: structuredClone(state) } };
    await writeFileAtomic(join(this.dir, STATE), JSON.stringify(next), 0o600);
    this.state = next;
  }

  async listSyncStates(): Promise<Array<{ hub: string; region: string; state: SyncState }>> {
    return Object.entries(this.state.sync).map(([key, state]) => ({ ...splitSyncStateKey(key), state: structuredClone(state) }));
  }

  /** Rewrites the log with only what is still held (atomically); drops dead and superseded records. */
  async compact(): Promise<void> {
    await this.writing;
    const lines: string[] = [];
    for (const [id, h] of this.index.held) if (!this.index.tombs.has(id) || keepsBody(this.index.tombs.get(id)!.reason)) lines.push(`${JSON.stringify({ k: 'e', e: h.raw })}\n`);
    for (const [id, t] of this.index.tombs) lines.push(`${JSON.stringify({ k: 't', id, reason: t.reason, ts: t.tsMs })}\n`);
    const reopen = this.log !== null;
    if (this.log) {
      await this.log.close();
      this.log = null;
    }
    await writeFileAtomic(join(this.dir, LOG), lines.join(''), 0o600);
    if (reopen) this.log = await fs.open(join(this.dir, LOG), 'a', 0o600);
    this.deadRecords = 0;
    this.liveRecords = lines.length;
  }

  async close(): Promise<void> {
    await this.writing;
    if (this.log) {
      await this.log.close();
      this.log = null;
    }
    await fs.rm(this.lockPath, { force: true });
    await syncDir(this.dir);
  }
}
