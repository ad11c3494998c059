/**
 * syncRegion: the native sync of one region between a local store and a hub.
 *   1. new device (empty store): restore with the cursor pull loop, saving the cursor after every page;
 *   2. otherwise: pull what is new since the saved cursor (one small request when in step);
 *   3. then negentropy reconciliation over (timestamp ms, id) of everything held, tombstones
 *      included; fetch what the hub has and the store lacks, push what the hub lacks, in bounded batches.
 */
import type { Envelope } from '@kiki/crypto';
import type { KikiCrypto } from './crypto';
import { PackedItemsBuilder } from './recon-items';
import type { EnvelopeStore, SyncState, Tombstone } from './store';
import { MAX_FETCH_BATCH, MAX_PULL_LIMIT, MAX_PUSH_BATCH, type RemovedId, type SyncTransport } from './transport';

export interface SyncOptions {
  /** The crypto implementation (the Node entry point passes sodium-native's). */
  crypto: KikiCrypto;
  /**
   * Senders whose envelopes this device refuses to store (people it blocked): what the hub sends
   * of theirs becomes a local tombstone (reason `blocked`), so it is neither kept nor fetched again.
   */
  refuseSender?: (sender: string) => boolean;
  /** Cancels the sync between (and during) requests; what was saved so far stays saved. */
  signal?: AbortSignal;
  /** Envelopes per pull page (1..1000, default 500). */
  pullLimit?: number;
  /** Ids per fetch request (1..1000, default 1000). */
  fetchBatchSize?: number;
  /** Envelopes per push request (1..500, default 500). */
  pushBatchSize?: number;
  /** Largest reconciliation message this side writes (default 128 KiB; the hub accepts up to 512 KiB). */
  frameSizeLimit?: number;
  /** Reconciliation rounds allowed before giving up (default 500). */
  maxRounds?: number;
  /** Told about each step, for progress display. */
  onProgress?: (p: SyncProgress) => void;
}

export type SyncProgress =
  | { phase: 'pull'; page: number; pulled: number; cursor: string }
  | { phase: 'reconcile'; round: number; have: number; need: number }
  | { phase: 'fetch'; fetched: number; of: number }
  | { phase: 'push'; pushed: number; of: number };

export interface SyncRejection {
  id?: string;
  code: string;
  reason?: string;
}

export interface SyncReport {
  hub: string;
  region: string;
  /**
   * restore: a new device (empty, or never synced anywhere and holding only its own letters), pulled from the start;
   * incremental: pulled from the saved cursor; reconcile-only: a store synced elsewhere, no cursor for this hub
   */
  mode: 'restore' | 'incremental' | 'reconcile-only';
  pullPages: number;
  /** envelopes newly stored from pull pages */
  pulled: number;
  /** reconciliation round trips */
  rounds: number;
  reconcileBytesSent: number;
  reconcileBytesReceived: number;
  /** ids reconciliation found the hub lacks / the store lacks */
  have: number;
  need: number;
  /** envelopes newly stored from fetch */
  fetched: number;
  /** envelopes the hub stored from this push */
  pushed: number;
  /** pushed envelopes the hub already held (a concurrent writer, or a retried batch) */
  duplicates: number;
  /** envelopes the hub refused this time, with its codes */
  rejected: SyncRejection[];
  /** envelopes not pushed because this hub refused them for good before */
  skippedRejected: number;
  /** tombstones newly learned (pull, fetch, or TOMBSTONED answers to push) */
  tombstones: number;
  /** envelopes of refused (blocked) senders turned into local tombstones */
  refused: number;
  /** envelopes the hub sent that fail parsing or the region signature: not stored */
  invalid: Array<{ id?: string; reason: string; from: 'pull' | 'fetch' }>;
  /** ids reconciliation announced that the hub then could not serve */
  missing: string[];
  /** held envelopes outside the reconcilable time range (before 1970): not reconciled */
  unreconcilable: number;
  durationMs: number;
}

export class SyncError extends Error {
  constructor(
    readonly code: 'RECONCILE_PROTOCOL' | 'RECONCILE_TOO_LONG' | 'ABORTED',
    message: string,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Codes that will not change on a retry: such envelopes are not offered to that hub again. */
const PERMANENT_REJECTIONS = new Set(['INVALID_ENVELOPE', 'TOO_LARGE', 'BAD_SIGNATURE', 'REGION_AS_SENDER', 'ID_MISMATCH']);

function bounded(name: string, value: number | undefined, fallback: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`${name} must be 1..${max}`);
  return v;
}

function tsOf(crypto: KikiCrypto, removed: RemovedId): number | null {
  if (!removed.timestamp) return null;
  try {
    return crypto.timestampMs(removed.timestamp);
  } catch {
    return null;
  }
}

export async function syncRegion(client: SyncTransport, store: EnvelopeStore, opts: SyncOptions): Promise<SyncReport> {
  const { crypto } = opts;
  const started = Date.now();
  const pullLimit = bounded('pullLimit', opts.pullLimit, 500, MAX_PULL_LIMIT);
  const fetchBatch = bounded('fetchBatchSize', opts.fetchBatchSize, MAX_FETCH_BATCH, MAX_FETCH_BATCH);
  const pushBatch = bounded('pushBatchSize', opts.pushBatchSize, MAX_PUSH_BATCH, MAX_PUSH_BATCH);
  const maxRounds = opts.maxRounds ?? 500;
  const hub = client.baseUrl;
  const region = client.region.public;
  const checkAborted = () => {
    if (opts.signal?.aborted) throw new SyncError('ABORTED', 'the sync was cancelled; run it again to resume');
  };

  const report: SyncReport = {
    hub,
    region,
    mode: 'incremental',
    pullPages: 0,
    pulled: 0,
    rounds: 0,
    reconcileBytesSent: 0,
    reconcileBytesReceived: 0,
    have: 0,
    need: 0,
    fetched: 0,
    pushed: 0,
    duplicates: 0,
    rejected: [],
    skippedRejected: 0,
    tombstones: 0,
    refused: 0,
    invalid: [],
    missing: [],
    unreconcilable: 0,
    durationMs: 0,
  };
  const state: SyncState = (await store.loadSyncState(hub, region)) ?? {};

  /** Verifies what the hub sent (strict parse + region signature) before the store keeps it. */
  const ingest = async (raws: unknown[], from: 'pull' | 'fetch'): Promise<number> => {
    const ok: Envelope[] = [];
    const refused: Tombstone[] = [];
    for (const raw of raws) {
      let env: Envelope;
      try {
        env = crypto.parseEnvelope(raw);
        crypto.validateRegionSignature(client.region, env);
      } catch (err) {
        if (!crypto.isInputError(err)) throw err;
        const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id.slice(0, 64) : undefined;
        const code = (err as { code?: string }).code;
        report.invalid.push({ id, reason: code && code !== 'INVALID_ENVELOPE' ? `${code}: ${(err as Error).message}` : (err as Error).message, from });
        continue;
      }
      if (opts.refuseSender?.(env.sender.public)) refused.push({ id: env.id, reason: 'blocked', tsMs: crypto.timestampMs(env.timestamp) });
      else ok.push(env);
    }
    if (refused.length) report.refused += await store.markTombstones(refused);
    return (await store.put(ok)).added.length;
  };
  const learnRemoved = async (removed: RemovedId[]): Promise<void> => {
    if (removed.length === 0) return;
    report.tombstones += await store.markTombstones(removed.map((r) => ({ id: r.id, reason: r.reason, tsMs: tsOf(crypto, r) })));
  };

  // 1-2. Cursor pull: the whole region for a new device, else only what is new since last time.
  const counts = await store.count();
  let newDevice = counts.envelopes === 0 && counts.tombstones === 0;
  if (!newDevice && state.cursor === undefined && counts.tombstones === 0) {
    // Posting before the first sync must not lose the fast restore: a store never synced anywhere
    // that holds only the person's own letters is still a new device.
    const everSynced = (await store.listSyncStates()).some((s) => s.state.cursor !== undefined || s.state.lastSyncAt !== undefined);
    if (!everSynced) {
      newDevice = true;
      for await (const e of store.scan()) {
        if (e.sender.public !== client.person.public) {
          newDevice = false;
          break;
        }
      }
    }
  }
  if (state.cursor !== undefined || newDevice) {
    report.mode = state.cursor === undefined ? 'restore' : 'incremental';
    let cursor = state.cursor ?? '0';
    for (;;) {
      checkAborted();
      const page = await client.pull(cursor, pullLimit);
      report.pullPages++;
      report.pulled += await ingest(page.envelopes, 'pull');
      await learnRemoved(page.removed);
      // Saved after the page is on disk, so an interrupted restore resumes here (even "0": it marks the hub as pulled).
      cursor = page.cursor;
      if (state.cursor !== cursor) {
        state.cursor = cursor;
        await store.saveSyncState(hub, region, state);
      }
      opts.onProgress?.({ phase: 'pull', page: report.pullPages, pulled: report.pulled, cursor });
      if (!page.more) break;
    }
  } else {
    // A store filled by another hub: pulling this hub from the start would resend what is held; reconciliation alone brings it in step.
    report.mode = 'reconcile-only';
  }

  // 3. Reconciliation over everything held, tombstones included (so removed ids are not pushed back).
  checkAborted();
  // About what the store holds now: what it held before, and what the pull added.
  const items = new PackedItemsBuilder(counts.envelopes + counts.tombstones + report.pulled + report.tombstones);
  const tombstoned = new Set<string>();
  for await (const e of store.entries()) {
    if (e.tombstone) tombstoned.add(e.id);
    if (e.tsMs === null) continue;
    if (e.tsMs < 0 || !Number.isSafeInteger(e.tsMs)) {
      report.unreconcilable++;
      continue;
    }
    if (!items.add(e.tsMs, e.id)) report.unreconcilable++;
  }
  const negentropy = crypto.reconciler(items.finish(), { frameSizeLimit: opts.frameSizeLimit ?? 128 * 1024 });
  const have = new Set<string>();
  const need = new Set<string>();
  let message: Uint8Array | null = negentropy.initiate();
  while (message) {
    checkAborted();
    if (report.rounds >= maxRounds) throw new SyncError('RECONCILE_TOO_LONG', `reconciliation did not finish within ${maxRounds} rounds`);
    report.rounds++;
    report.reconcileBytesSent += message.length;
    const answer = await client.reconcile(message);
    report.reconcileBytesReceived += answer.length;
    let result;
    try {
      result = negentropy.reconcile(answer);
    } catch (err) {
      if (crypto.isReconcileProtocolError(err)) throw new SyncError('RECONCILE_PROTOCOL', `the hub's reconciliation answer is malformed (${err.code}): ${err.message}`);
      throw err;
    }
    for (const id of result.have) have.add(crypto.base58Encode(id));
    for (const id of result.need) need.add(crypto.base58Encode(id));
    opts.onProgress?.({ phase: 'reconcile', round: report.rounds, have: have.size, need: need.size });
    message = result.output;
  }
  report.have = have.size;
  report.need = need.size;

  // Fetch: ids known here only as tombstones without a timestamp are not asked for again.
  const toFetch: string[] = [];
  for (const id of need) if (!(await store.has(id))) toFetch.push(id);
  for (let i = 0; i < toFetch.length; i += fetchBatch) {
    checkAborted();
    const batch = toFetch.slice(i, i + fetchBatch);
    const got = await client.fetch(batch);
    report.fetched += await ingest(got.envelopes, 'fetch');
    await learnRemoved(got.removed);
    report.missing.push(...got.missing);
    opts.onProgress?.({ phase: 'fetch', fetched: Math.min(i + fetchBatch, toFetch.length), of: toFetch.length });
  }

  // Push: oldest first, never a tombstoned id, never what this hub refused for good.
  const rejectedBefore = state.rejected ?? {};
  const pending: Array<{ env: Envelope; tsMs: number }> = [];
  for (const id of have) {
    if (tombstoned.has(id)) continue;
    if (rejectedBefore[id]) {
      report.skippedRejected++;
      continue;
    }
    const env = await store.get(id);
    if (env) pending.push({ env, tsMs: crypto.timestampMs(env.timestamp) });
  }
  pending.sort((a, b) => a.tsMs - b.tsMs || (a.env.id < b.env.id ? -1 : 1));
  const toPush = pending.map((p) => p.env);
  for (let i = 0; i < toPush.length; i += pushBatch) {
    checkAborted();
    const batch = toPush.slice(i, i + pushBatch);
    const result = await client.push(batch);
    const tombs: Tombstone[] = [];
    let newlyRejected = false;
    for (const r of result.results) {
      const env = batch[r.index];
      if (r.status === 'stored') report.pushed++;
      else if (r.status === 'duplicate') report.duplicates++;
      else if (r.code === 'TOMBSTONED') tombs.push({ id: env.id, reason: 'tombstoned', tsMs: crypto.timestampMs(env.timestamp) });
      else {
        report.rejected.push({ id: env.id, code: r.code ?? 'REJECTED', reason: r.reason });
        if (r.code && PERMANENT_REJECTIONS.has(r.code)) {
          state.rejected = { ...(state.rejected ?? {}), [env.id]: r.code };
          newlyRejected = true;
        }
      }
    }
    if (tombs.length) report.tombstones += await store.markTombstones(tombs);
    if (newlyRejected) await store.saveSyncState(hub, region, state);
    opts.onProgress?.({ phase: 'push', pushed: Math.min(i + pushBatch, toPush.length), of: toPush.length });
  }

  state.lastSyncAt = new Date().toISOString();
  await store.saveSyncState(hub, region, state);
  report.durationMs = Date.now() - started;
  return report;
}
