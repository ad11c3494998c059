import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Moving a region (a tenant) between hubs: a JSON-lines file with everything of one region that
 * Postgres holds — envelopes and tombstones (every column, ordered by seq), tiers and overrides,
 * erases, usage, and eviction records — read from one snapshot, streamed in pages, and imported
 * in one transaction (all or nothing). Rows are written and read by Postgres itself
 * (to_jsonb / jsonb_populate_recordset), so every column, present and future, travels exactly,
 * and Node never parses a row (no 64-bit integer loses precision).
 *
 *   line 1   {"kind":"kiki-region-export","version":1,"region":"<public key>",...}
 *   lines    {"t":"envelope","r":{...}}  (then person_policy, person_erase, person_usage, eviction)
 *   last     {"t":"end","counts":{...},"sha256":"<hex of every line before, each with its \n>"}
 *
 * The region keys are not in the file: on the new hub the operator imports the region first
 * (`region import --public --private`), then its data.
 */

export const EXPORT_KIND = 'kiki-region-export';
export const EXPORT_VERSION = 1;

/** Tables exported, in the order they are written and must be imported (foreign keys). */
const TABLES = [
  { kind: 'envelope', table: 'envelope', key: 'seq', start: '-1' },
  { kind: 'person_policy', table: 'person_policy', key: 'person', start: '' },
  { kind: 'person_erase', table: 'person_erase', key: 'person', start: '' },
  { kind: 'person_usage', table: 'person_usage', key: 'person', start: '' },
  // eviction ids are the hub's own (an identity across regions): new ones are given in order
  { kind: 'eviction', table: 'eviction', key: 'eviction_id', start: '-1', skipOnImport: ['eviction_id'] },
] as const;
type Kind = (typeof TABLES)[number]['kind'];

const PAGE = 2000;
const IMPORT_BATCH = 1000;

export interface ExportHeader {
  kind: typeof EXPORT_KIND;
  version: number;
  region: string;
  name: string;
  settings: { maxEnvelopeBytes: number; defaultQuotaBytes: string; trustedQuotaBytes: string };
  lastSeq: string;
  removedSeq: string;
  exportedAt: string;
}

export type TransferCounts = Record<Kind, number>;

/** A refused import or export: the message is for the operator, and nothing was changed. */
export class RegionTransferError extends Error {}

// Not inTransaction (transaction.ts): the export is an async generator holding its snapshot
// across yields, and both sides stream pages through one pg client that TypeORM does not wrap.
function poolOf(ds: DataSource): Pool {
  const pool = (ds.driver as PostgresDriver).master as Pool | undefined;
  if (!pool) throw new Error('region transfer needs the postgres driver pool');
  return pool;
}

const emptyCounts = (): TransferCounts => Object.fromEntries(TABLES.map((t) => [t.kind, 0])) as TransferCounts;

/**
 * The lines of one region's export (without newlines), from one REPEATABLE READ snapshot, a page
 * at a time: memory stays bounded whatever the region's size.
 */
export async function* exportRegion(ds: DataSource, publicKey: string, onProgress?: (counts: TransferCounts) => void): AsyncGenerator<string> {
  const client = await poolOf(ds).connect();
  const hash = createHash('sha256');
  const counts = emptyCounts();
  const emit = (line: string) => {
    hash.update(line + '\n');
    return line;
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query(
      `SELECT r.region_id, r.public_key, r.name, r.max_envelope_bytes, r.default_quota_bytes::text, r.trusted_quota_bytes::text,
              s.last_seq::text, s.removed_seq::text
         FROM region r JOIN region_seq s USING (region_id) WHERE r.public_key = $1`,
      [publicKey],
    );
    if (!rows[0]) throw new RegionTransferError(`no region ${publicKey} on this hub`);
    const r = rows[0];
    const header: ExportHeader = {
      kind: EXPORT_KIND,
      version: EXPORT_VERSION,
      region: r.public_key,
      name: r.name,
      settings: { maxEnvelopeBytes: r.max_envelope_bytes, defaultQuotaBytes: r.default_quota_bytes, trustedQuotaBytes: r.trusted_quota_bytes },
      lastSeq: r.last_seq,
      removedSeq: r.removed_seq,
      exportedAt: new Date().toISOString(),
    };
    yield emit(JSON.stringify(header));
    for (const t of TABLES) {
      let after: string = t.start;
      for (;;) {
        // keyset pages: each one an index range scan, however deep into the region
        const page = await client.query<{ k: string; j: string }>(
          `SELECT ${t.key}::text AS k, (to_jsonb(x) - 'region_id')::text AS j FROM ${t.table} x
            WHERE region_id = $1 AND ${t.key} > $2 ORDER BY ${t.key} LIMIT ${PAGE}`,
          [r.region_id, after],
        );
        for (const row of page.rows) yield emit(`{"t":"${t.kind}","r":${row.j}}`);
        counts[t.kind] += page.rows.length;
        if (page.rows.length) onProgress?.(counts);
        if (page.rows.length < PAGE) break;
        after = page.rows[page.rows.length - 1].k;
      }
    }
    await client.query('COMMIT');
    yield JSON.stringify({ t: 'end', counts, sha256: hash.digest('hex') });
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/**
 * Imports an export into the region `publicKey` of this hub, which must exist (imported with its
 * keys) and hold nothing yet. One transaction: a file of another region, a damaged, truncated or
 * altered file, or any row Postgres refuses, rolls everything back.
 */
export async function importRegion(
  ds: DataSource,
  publicKey: string,
  lines: AsyncIterable<string>,
  onProgress?: (counts: TransferCounts) => void,
): Promise<TransferCounts> {
  const client = await poolOf(ds).connect();
  const hash = createHash('sha256');
  const counts = emptyCounts();
  let lineNo = 0;
  let header: ExportHeader | null = null;
  let end: { counts: TransferCounts; sha256: string } | null = null;
  let regionId = 0;
  // (a holder, not a variable: flush() changes it where TypeScript cannot see)
  const batch: { pending: { kind: Kind; rows: string[] } | null } = { pending: null };
  const insertSql = new Map<Kind, string>();

  const flush = async () => {
    if (!batch.pending || !batch.pending.rows.length) return;
    const { kind, rows } = batch.pending;
    batch.pending = { kind, rows: [] };
    try {
      await client.query(insertSql.get(kind)!, [`[${rows.join(',')}]`, regionId]);
    } catch (err) {
      throw new RegionTransferError(`line ${lineNo - rows.length + 1}-${lineNo}: ${kind} rows refused by Postgres (${(err as Error).message}); nothing was imported`);
    }
    counts[kind] += rows.length;
    onProgress?.(counts);
  };

  try {
    await client.query('BEGIN');
    for await (const raw of lines) {
      lineNo++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (end) {
        if (line.trim() === '') continue;
        throw new RegionTransferError(`line ${lineNo}: data after the end record; the file is damaged`);
      }
      if (!header) {
        header = parseHeader(line, publicKey);
        hash.update(line + '\n');
        regionId = await prepareTarget(client, header, publicKey);
        for (const t of TABLES) insertSql.set(t.kind, await insertStatement(client, t.table, 'skipOnImport' in t ? t.skipOnImport : [], t.key));
        continue;
      }
      if (line.startsWith('{"t":"end"')) {
        await flush();
        end = parseEnd(line, lineNo);
        continue;
      }
      const m = /^\{"t":"([a-z_]+)","r":(\{.*\})\}$/.exec(line);
      const kind = m?.[1] as Kind | undefined;
      if (!m || !insertSql.has(kind!)) throw new RegionTransferError(`line ${lineNo}: not a record of a region export; the file is damaged`);
      hash.update(line + '\n');
      if (batch.pending?.kind !== kind) {
        await flush();
        batch.pending = { kind: kind!, rows: [] };
      }
      const rows = batch.pending!.rows;
      rows.push(m[2]);
      if (rows.length >= IMPORT_BATCH) await flush();
    }
    if (!header) throw new RegionTransferError('the file is empty');
    if (!end) throw new RegionTransferError(`the file ends at line ${lineNo} without its end record: it is truncated; nothing was imported`);
    if (hash.digest('hex') !== end.sha256) throw new RegionTransferError('the file does not match its checksum: it was damaged or edited; nothing was imported');
    for (const t of TABLES) {
      if (counts[t.kind] !== end.counts[t.kind]) throw new RegionTransferError(`the file promises ${end.counts[t.kind]} ${t.kind} rows but holds ${counts[t.kind]}; nothing was imported`);
    }
    await client.query('COMMIT');
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function parseHeader(line: string, publicKey: string): ExportHeader {
  let h: ExportHeader;
  try {
    h = JSON.parse(line) as ExportHeader;
  } catch {
    throw new RegionTransferError('line 1 is not a region export header: not a file made by `region export`');
  }
  if (h?.kind !== EXPORT_KIND) throw new RegionTransferError('line 1 is not a region export header: not a file made by `region export`');
  if (h.version !== EXPORT_VERSION) throw new RegionTransferError(`export version ${h.version} is not supported (this hub reads version ${EXPORT_VERSION})`);
  if (h.region !== publicKey) throw new RegionTransferError(`the file holds region ${h.region}, not ${publicKey}; nothing was imported`);
  return h;
}

function parseEnd(line: string, lineNo: number): { counts: TransferCounts; sha256: string } {
  try {
    const e = JSON.parse(line) as { counts: TransferCounts; sha256: string };
    if (typeof e.sha256 === 'string' && e.counts && typeof e.counts === 'object') return e;
  } catch {
    /* reported below */
  }
  throw new RegionTransferError(`line ${lineNo}: a damaged end record`);
}

/** Locks the target region, checks it is empty, and gives it the exported settings and counters. */
async function prepareTarget(client: PoolClient, h: ExportHeader, publicKey: string): Promise<number> {
  const { rows } = await client.query<{ region_id: number }>('SELECT region_id FROM region WHERE public_key = $1 FOR UPDATE', [publicKey]);
  if (!rows[0]) {
    throw new RegionTransferError(`no region ${publicKey} on this hub: import it with its keys first (\`npm run hub -- region import --name <name> --public <key> --private <key>\`), then its data`);
  }
  const regionId = rows[0].region_id;
  const held = await client.query<{ t: string }>(
    `SELECT 'envelope' AS t FROM envelope WHERE region_id = $1
     UNION ALL SELECT 'person_policy' FROM person_policy WHERE region_id = $1
     UNION ALL SELECT 'person_usage' FROM person_usage WHERE region_id = $1
     UNION ALL SELECT 'eviction' FROM eviction WHERE region_id = $1 LIMIT 1`,
    [regionId],
  );
  if (held.rows.length) throw new RegionTransferError(`region ${publicKey} already holds data on this hub (${held.rows[0].t}); import only into a region that holds nothing`);
  await client.query(
    'UPDATE region SET max_envelope_bytes = $2, default_quota_bytes = $3::bigint, trusted_quota_bytes = $4::bigint WHERE region_id = $1',
    [regionId, h.settings.maxEnvelopeBytes, h.settings.defaultQuotaBytes, h.settings.trustedQuotaBytes],
  );
  await client.query('UPDATE region_seq SET last_seq = $2::bigint, removed_seq = $3::bigint WHERE region_id = $1', [regionId, h.lastSeq, h.removedSeq]);
  return regionId;
}

/** INSERT of a page of exported rows ($1: a JSON array) into `table`, under region $2. */
async function insertStatement(client: PoolClient, table: string, skip: readonly string[], orderBy: string): Promise<string> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const cols = rows.map((r) => `"${r.column_name}"`).filter((c) => !skip.includes(c.slice(1, -1)));
  return `INSERT INTO ${table} (${cols.join(', ')})
          SELECT ${cols.join(', ')} FROM jsonb_populate_recordset(NULL::${table},
            (SELECT jsonb_agg(x || jsonb_build_object('region_id', $2::int)) FROM jsonb_array_elements($1::jsonb) x))
          ORDER BY ${orderBy}`;
}
