/**
 * The LevelDB store (classic-level, whose binaries ship inside its npm package): memory stays
 * bounded whatever the number of envelopes, since nothing is held in memory but LevelDB's caches.
 *
 * Keys (utf8):
 *   e:<id>              the envelope (JSON: the six sealed fields, the wire's letter/opened never kept)
 *   t:<id>              a tombstone {"reason","ts"} learned from a hub, or made by an erase or a block
 *   i:<ts17>:<id>       time index of every id with a known timestamp: "" when held, the tombstone reason otherwise
 *   s:region, s:sync    the region held and the sync state per (hub, region)
 * Envelopes are re-validated with parseEnvelope whenever they are read; a record that no longer
 * parses is skipped. Writes that the sync cursor depends on are synced to disk (`sync: true`).
 */
import { type Envelope, type EnvelopeParseError, type EnvelopeLimits, parseTimestamp } from '@kiki/crypto';
import { ClassicLevel } from 'classic-level';
import { type EnvelopeStore, keepsBody, type PutResult, type StoreCounts, type StoreEntry, type SyncState, splitSyncStateKey, syncStateKey, type Tombstone } from '../core/store';
import { StoreError, StoreLockedError } from './file-store';
import { ensurePrivateDir } from './fs-util';
import { parseStored } from './store';

export interface LevelStoreOptions {
  /** The region this directory holds: checked against (or recorded in) the store on open. */
  region?: string;
  limits?: Partial<EnvelopeLimits>;
}

/** Timestamps may be negative (before 1970): offset so that keys sort as numbers. */
const TS_OFFSET = 1e15;
const tsKey = (ms: number) => String(ms + TS_OFFSET).padStart(17, '0');
const fromTsKey = (k: string) => Number(k) - TS_OFFSET;

type Batch = Array<{ type: 'put'; key: string; value: string } | { type: 'del'; key: string }>;

export class LevelEnvelopeStore implements EnvelopeStore {
  private sync: Record<string, SyncState> = {};
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly db: ClassicLevel<string, string>,
    private readonly limits?: Partial<EnvelopeLimits>,
  ) {}

  static async open(dir: string, opts: LevelStoreOptions = {}): Promise<LevelEnvelopeStore> {
    await ensurePrivateDir(dir);
    // LevelDB maps the table files it keeps open, and mapped pages count in the process's RSS. Both
    // numbers are at LevelDB's floor (1.20 clips max_open_files to >= 74, of which 64 are tables, and
    // max_file_size to >= 1 MiB; the default file is 2 MiB): ~64 MB of mapped tables after a scan.
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8', maxOpenFiles: 64, maxFileSize: 1024 * 1024 });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if ((err as { code?: string }).code === 'LEVEL_DATABASE_NOT_OPEN' && cause?.code === 'LEVEL_LOCKED') throw new StoreLockedError(dir, 0);
      throw new StoreError(`${dir} cannot be opened as a store: ${(err as Error).message}`);
    }
    const store = new LevelEnvelopeStore(dir, db, opts.limits);
    try {
      const held = await db.get('s:region');
      if (opts.region) {
        // Envelopes of another region would be pushed to the wrong one (and refused there).
        if (held !== undefined && held !== opts.region) throw new StoreError(`${dir} holds region ${held}, not ${opts.region}`);
        if (held === undefined) await db.put('s:region', opts.region, { sync: true });
      }
      const sync = await db.get('s:sync');
      if (sync !== undefined) store.sync = JSON.parse(sync) as Record<string, SyncState>;
    } catch (err) {
      await db.close();
      throw err;
    }
    return store;
  }

  private parse(raw: unknown): { env: Envelope; tsMs: number } | { error: EnvelopeParseError } {
    return parseStored(raw, this.limits);
  }

  /** Serializes writers: the check-then-write of put and markTombstones must not interleave. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work);
    this.writing = run.catch(() => undefined);
    return run;
  }

  put(envelopes: readonly unknown[]): Promise<PutResult> {
    return this.serial(async () => {
      const result: PutResult = { added: [], known: 0, invalid: [] };
      const fresh: Array<{ env: Envelope; tsMs: number }> = [];
      envelopes.forEach((raw, index) => {
        const parsed = this.parse(raw);
        if ('error' in parsed) {
          const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id.slice(0, 64) : undefined;
          result.invalid.push({ index, id, field: parsed.error.field, reason: parsed.error.message });
        } else fresh.push(parsed);
      });
      if (fresh.length === 0) return result;
      const keys = fresh.flatMap(({ env }) => [`e:${env.id}`, `t:${env.id}`]);
      const known = await this.db.getMany(keys);
      const batch: Batch = [];
      const seen = new Set<string>();
      fresh.forEach(({ env, tsMs }, i) => {
        if (known[2 * i] !== undefined || known[2 * i + 1] !== undefined || seen.has(env.id)) {
          result.known++;
          return;
        }
        seen.add(env.id);
        batch.push({ type: 'put', key: `e:${env.id}`, value: JSON.stringify(env) });
        batch.push({ type: 'put', key: `i:${tsKey(tsMs)}:${env.id}`, value: '' });
        result.added.push(env.id);
      });
      if (batch.length) await this.db.batch(batch, { sync: true });
      return result;
    });
  }

  async get(id: string): Promise<Envelope | undefined> {
    const text = await this.db.get(`e:${id}`);
    if (text === undefined) return undefined;
    const parsed = this.parse(JSON.parse(text));
    return 'error' in parsed ? undefined : parsed.env;
  }

  async has(id: string): Promise<boolean> {
    const [e, t] = await this.db.getMany([`e:${id}`, `t:${id}`]);
    return e !== undefined || t !== undefined;
  }

  async *scan(): AsyncIterable<Envelope> {
    for await (const [key, text] of this.db.iterator({ gt: 'e:', lt: 'e;' })) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        continue;
      }
      const parsed = this.parse(raw);
      // A record that no longer parses (corrupt, or invalid under the current limits) is never trusted.
      if ('error' in parsed || parsed.env.id !== key.slice(2)) continue;
      yield parsed.env;
    }
  }

  async *entries(): AsyncIterable<StoreEntry> {
    for await (const [key, value] of this.db.iterator({ gt: 'i:', lt: 'i;' })) {
      const id = key.slice(20);
      yield value ? { id, tsMs: fromTsKey(key.slice(2, 19)), tombstone: value } : { id, tsMs: fromTsKey(key.slice(2, 19)) };
    }
    for await (const [key, value] of this.db.iterator({ gt: 't:', lt: 't;' })) {
      const t = JSON.parse(value) as { reason: string; ts: number | null };
      if (t.ts === null) yield { id: key.slice(2), tsMs: null, tombstone: t.reason };
    }
  }

  async list(): Promise<StoreEntry[]> {
    const out: StoreEntry[] = [];
    for await (const e of this.entries()) out.push(e);
    return out;
  }

  async envelopes(): Promise<Envelope[]> {
    const out: Envelope[] = [];
    for await (const e of this.scan()) out.push(e);
    return out;
  }

  async count(): Promise<StoreCounts> {
    let envelopes = 0;
    let tombstones = 0;
    const tombed = new Set<string>();
    for await (const key of this.db.keys({ gt: 't:', lt: 't;' })) {
      tombstones++;
      tombed.add(key.slice(2));
    }
    for await (const key of this.db.keys({ gt: 'e:', lt: 'e;' })) if (!tombed.has(key.slice(2))) envelopes++;
    return { envelopes, tombstones };
  }

  markTombstones(tombstones: readonly Tombstone[]): Promise<number> {
    return this.serial(async () => {
      const items = tombstones.filter((t) => typeof t?.id === 'string' && t.id.length > 0 && typeof t.reason === 'string');
      if (items.length === 0) return 0;
      const known = await this.db.getMany(items.flatMap((t) => [`e:${t.id}`, `t:${t.id}`]));
      const batch: Batch = [];
      const done = new Map<string, { reason: string; ts: number | null }>();
      let changed = 0;
      items.forEach((t, i) => {
        const bodyText = known[2 * i];
        const priorText = known[2 * i + 1];
        const prior = done.get(t.id) ?? (priorText ? (JSON.parse(priorText) as { reason: string; ts: number | null }) : undefined);
        let localTs: number | null = null;
        if (bodyText !== undefined) {
          try {
            localTs = parseTimestamp((JSON.parse(bodyText) as Envelope).timestamp).ms;
          } catch {
            localTs = null;
          }
        }
        const ts = localTs ?? (Number.isSafeInteger(t.tsMs) ? (t.tsMs as number) : null) ?? prior?.ts ?? null;
        // A later tombstone may only add a timestamp that was unknown; the first reason stands.
        if (prior && (prior.ts !== null || ts === null)) return;
        const reason = prior?.reason ?? t.reason;
        batch.push({ type: 'put', key: `t:${t.id}`, value: JSON.stringify({ reason, ts }) });
        if (ts !== null) batch.push({ type: 'put', key: `i:${tsKey(ts)}:${t.id}`, value: reason });
        if (bodyText !== undefined && !keepsBody(reason)) batch.push({ type: 'del', key: `e:${t.id}` });
        done.set(t.id, { reason, ts });
        changed++;
      });
      if (batch.length) await this.db.batch(batch, { sync: true });
      return changed;
    });
  }

  async loadSyncState(hub: string, region: string): Promise<SyncState | null> {
    const s = this.sync[syncStateKey(hub, region)];
    return s ? structuredClone(s) : null;
  }

  saveSyncState(hub: string, region: string, state: SyncState): Promise<void> {
    // Queued behind the writes: the cursor must never claim envelopes that are not on disk yet.
    return this.serial(async () => {
      const next = { ...this.sync, [syncStateKey(hub, region)]: structuredClone(state) };
      await this.db.put('s:sync', JSON.stringify(next), { sync: true });
      this.sync = next;
    });
  }

  async listSyncStates(): Promise<Array<{ hub: string; region: string; state: SyncState }>> {
    return Object.entries(this.sync).map(([key, state]) => ({ ...splitSyncStateKey(key), state: structuredClone(state) }));
  }

  async close(): Promise<void> {
    await this.writing;
    await this.db.close();
  }
}
