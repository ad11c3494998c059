import type { DataSource, EntityManager } from 'typeorm';
import type { RemovedReason } from '../entities';
import { accountSql, countedSql } from '../accounting';
import { isStorableText, preparedQuery } from './prepared';
import { inTransaction, returnedRows } from '../transaction';

/** An envelope ready to store: parsed, validated and reduced to columns by the ingest path. */
export interface EnvelopeRow {
  id: Buffer;
  tsMs: number;
  timestamp: string;
  sender: string;
  signature: string;
  /** the sender's v2 signature (base58), only when the ingest path verified it: null = unproven */
  signatureV2: string | null;
  sealedRecipients: string[];
  sealedLetter: Buffer;
  /** kiki's size: the sealed letter's length as base64 text */
  size: number;
  purpose: string | null;
  firstId: string | null;
  replyTo: string | null;
  publicContent: string | null;
}

/** The columns of a stored envelope other than its sealed fields (StoredEnvelope, and ReadRepository's EnvelopeView). */
export interface EnvelopeHeader {
  id: Buffer;
  seq: number;
  tsMs: number;
  timestamp: string;
  sender: string;
  signature: string;
  /** the sender's v2 signature (base58); null: unproven (no verified v2 signature) */
  signatureV2: string | null;
  size: number;
  receivedAt: Date;
  purpose: string | null;
  firstId: string | null;
  replyTo: string | null;
  removedReason: RemovedReason | null;
}

export interface StoredEnvelope extends EnvelopeHeader {
  sealedRecipients: string[] | null;
  sealedLetter: Buffer | null;
  removedAt: Date | null;
}

export interface InsertResult {
  /** hex id → assigned seq, for rows this call stored */
  stored: Map<string, number>;
  /** hex id → null when already held, or the reason it was removed (a tombstone) */
  existing: Map<string, RemovedReason | null>;
  lastSeq: number;
}

export interface ReconRow {
  seq: number;
  tsMs: number;
  id: Buffer;
}


const SELECT_COLUMNS = `id, seq, ts_ms, "timestamp", sender, signature, signature_v2, sealed_recipients, sealed_letter, size,
  received_at, purpose, first_id, reply_to, removed_at, removed_reason`;

function toStored(r: Record<string, unknown>): StoredEnvelope {
  return {
    id: r.id as Buffer,
    seq: Number(r.seq),
    tsMs: Number(r.ts_ms),
    timestamp: r.timestamp as string,
    sender: r.sender as string,
    signature: r.signature as string,
    signatureV2: (r.signature_v2 as string | null) ?? null,
    sealedRecipients: (r.sealed_recipients as string[] | null) ?? null,
    sealedLetter: (r.sealed_letter as Buffer | null) ?? null,
    size: Number(r.size),
    receivedAt: r.received_at as Date,
    purpose: (r.purpose as string | null) ?? null,
    firstId: (r.first_id as string | null) ?? null,
    replyTo: (r.reply_to as string | null) ?? null,
    removedAt: (r.removed_at as Date | null) ?? null,
    removedReason: (r.removed_reason as RemovedReason | null) ?? null,
  };
}

/** Counted bytes and envelopes of removed or restored rows per sender, people sorted (the lock order). */
function usageBySender(rows: Array<{ sender: string; size: number; counted: boolean }>): { people: string[]; bytes: number[]; envelopes: number[] } {
  const usage = new Map<string, { bytes: number; envelopes: number }>();
  for (const r of rows) {
    const u = usage.get(r.sender) ?? { bytes: 0, envelopes: 0 };
    if (r.counted) u.bytes += Number(r.size);
    u.envelopes += 1;
    usage.set(r.sender, u);
  }
  const people = [...usage.keys()].sort();
  return { people, bytes: people.map((p) => usage.get(p)!.bytes), envelopes: people.map((p) => usage.get(p)!.envelopes) };
}

/** One text of `items`' values joined by `sep`, refusing an empty value or one holding the separator. */
function joined(items: EnvelopeRow[], value: (r: EnvelopeRow) => string, sep: ',' | ' '): string {
  const parts = items.map(value);
  for (const p of parts) if (p.length === 0 || p.includes(sep)) throw new RangeError(`an envelope field holds "${sep}": ${p.slice(0, 40)}`);
  return parts.join(sep);
}

/** A JSON array of `items`' nullable texts, refusing what Postgres text cannot hold (NUL, lone surrogates). */
function jsonTexts(items: EnvelopeRow[], value: (r: EnvelopeRow) => string | null): string {
  const parts = items.map(value);
  for (const p of parts) if (p !== null && !isStorableText(p)) throw new RangeError(`an envelope field holds text Postgres cannot store: ${JSON.stringify(p.slice(0, 40))}`);
  return JSON.stringify(parts);
}

/** One batch: counter, rows and usage in one self-committing statement (see insertBatch). */
const INSERT_BATCH_SQL = `WITH s AS (
    UPDATE region_seq SET last_seq = last_seq + $16 WHERE region_id = $1 RETURNING last_seq - $16 AS base, last_seq
  ), v AS (
    SELECT * FROM ROWS FROM (
        unnest(string_to_array($4, ',')::int[], string_to_array($5, ',')::int[], string_to_array($6, ',')::bigint[],
               string_to_array($7, ','), string_to_array($8, ','), string_to_array($9, ','), string_to_array($10, ' '),
               string_to_array($11, ',')::int[]),
        json_array_elements_text($12::json), json_array_elements_text($13::json),
        json_array_elements_text($14::json), json_array_elements_text($15::json), json_array_elements_text($17::json))
      WITH ORDINALITY AS v(off, len, ts_ms, ts, sender, signature, recipients, size, purpose, first_id, reply_to, content, signature_v2, n)
  ), ins AS (
    INSERT INTO envelope (region_id, id, seq, ts_ms, "timestamp", sender, signature, sealed_recipients,
      sealed_letter, size, purpose, first_id, reply_to, public_content, signature_v2)
    SELECT $1, substring($2::bytea FROM ((v.n - 1) * 32 + 1)::int FOR 32), s.base + v.n, v.ts_ms, v.ts, v.sender, v.signature,
           string_to_array(v.recipients, ','), substring($3::bytea FROM v.off FOR v.len), v.size,
           v.purpose, v.first_id, v.reply_to, v.content, v.signature_v2
      FROM v CROSS JOIN s
    ON CONFLICT (region_id, id) DO NOTHING
    RETURNING seq, sender, size
  ), u AS (
    -- each row counts in its usage account: its sender's, or the region's unproven pool (accounting.ts)
    INSERT INTO person_usage (region_id, person, bytes, envelopes)
    SELECT $1, ${accountSql('v')}, sum(CASE WHEN ${countedSql('v')} THEN ins.size ELSE 0 END), count(*)
      FROM ins JOIN v ON v.n = ins.seq - (SELECT base FROM s)
     GROUP BY 2 ORDER BY 2
    ON CONFLICT (region_id, person) DO UPDATE
      SET bytes = person_usage.bytes + excluded.bytes,
          envelopes = person_usage.envelopes + excluded.envelopes,
          updated_at = now()
  )
  -- which items went in, as their positions (seq - base): one short text, not a row each
  SELECT s.base, s.last_seq, (SELECT string_agg((ins.seq - s.base)::text, ',') FROM ins) AS inserted FROM s`;

export class EnvelopeRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores a batch in one transaction: sequence numbers, rows and usage together, so that
   * "stored" is only ever said of committed rows. Rows whose id the region already has (live or
   * tombstoned) are left untouched and reported in `existing`.
   */
  async insertBatch(regionId: number, rows: EnvelopeRow[]): Promise<InsertResult> {
    const unique = new Map<string, EnvelopeRow>();
    for (const r of rows) if (r.id.length !== 32) throw new RangeError('envelope ids are 32 bytes');
    for (const r of rows) {
      const hex = r.id.toString('hex');
      if (!unique.has(hex)) unique.set(hex, r);
    }
    const items = [...unique.values()];
    const result: InsertResult = { stored: new Map(), existing: new Map(), lastSeq: 0 };
    if (items.length === 0) return result;

    // ONE statement, committed on its own: it takes the region's counter row (seq in commit
    // order), inserts, and adds usage, all inside Postgres. The counter lock is held for the
    // statement and its commit only, never across round trips to a busy hub (as a multi-statement
    // transaction did: 55-85 ms per 500 rows, waiting on an event loop validating other batches).
    // Lock order is still region_seq, then person_usage rows sorted by person (see reserveRemovalSeq).
    // One parameter per column, unnested in ROWS FROM, keeps planning cheap however large the
    // batch. Binary columns travel packed in a single bytea (sent in binary, not hex-escaped
    // inside an array literal: 4x faster here) and are cut apart with substring. Recipients are
    // base58, so ',' cannot occur inside one and joins them unambiguously.
    const letters = Buffer.concat(items.map((r) => r.sealedLetter));
    const offsets: number[] = [];
    let at = 1;
    for (const r of items) {
      offsets.push(at);
      at += r.sealedLetter.length;
    }
    const params = [
      regionId,
      Buffer.concat(items.map((r) => r.id)),
      letters,
      // No array parameters: node-postgres quotes and regex-escapes every element of one
      // (~5% of ingest CPU). Numbers and checked texts that cannot hold ',' or ' ' (RFC 3339,
      // base58) go joined; texts read from letters, which may hold anything, go as JSON.
      offsets.join(','),
      items.map((r) => r.sealedLetter.length).join(','),
      items.map((r) => r.tsMs).join(','),
      joined(items, (r) => r.timestamp, ','),
      joined(items, (r) => r.sender, ','),
      joined(items, (r) => r.signature, ','),
      joined(items, (r) => r.sealedRecipients.join(','), ' '),
      items.map((r) => r.size).join(','),
      jsonTexts(items, (r) => r.purpose),
      jsonTexts(items, (r) => r.firstId),
      jsonTexts(items, (r) => r.replyTo),
      jsonTexts(items, (r) => r.publicContent),
      items.length,
      jsonTexts(items, (r) => r.signatureV2),
    ];
    // prepared: planned once per connection, not per batch (0.7 ms of Postgres time, held under the counter lock)
    const got = await preparedQuery<{ base: string; last_seq: string; inserted: string | null }>(this.ds, 'kiki_insert_batch', INSERT_BATCH_SQL, params);
    if (got.length === 0) throw new Error(`region ${regionId} has no sequence row`);
    const base = Number(got[0].base);
    result.lastSeq = Number(got[0].last_seq);
    const keys = [...unique.keys()];
    if (got[0].inserted) {
      for (const n of got[0].inserted.split(',')) result.stored.set(keys[Number(n) - 1], base + Number(n));
    }

    // Ids it did not insert were already held (live or tombstoned): read after the commit, so
    // no lock waits on it. A tombstone never turns back into a live row, so the answer holds.
    const notInserted = keys.filter((hex) => !result.stored.has(hex));
    if (notInserted.length) {
      const prior: Array<{ id: Buffer; removed_reason: RemovedReason | null }> = await this.ds.query(
        'SELECT id, removed_reason FROM envelope WHERE region_id = $1 AND id = ANY($2::bytea[])',
        [regionId, notInserted.map((hex) => unique.get(hex)!.id)],
      );
      for (const p of prior) result.existing.set(p.id.toString('hex'), p.removed_reason);
    }
    return result;
  }

  /**
   * Reserves `count` sequence numbers of a region for tombstones and locks its counter until the
   * transaction ends, so rows of one region commit in seq order and a cursor never skips one.
   * Every writer takes this lock FIRST (before person_usage rows; insertBatch does it inside its
   * statement), which keeps lock order deadlock-free. A removal also moves removed_seq (the
   * region's read version: see the RegionRemovedSeq migration). Returns the first reserved number.
   */
  private async reserveRemovalSeq(m: EntityManager, regionId: number, count: number): Promise<number> {
    const [row] = returnedRows<{ last_seq: string }>(
      await m.query('UPDATE region_seq SET last_seq = last_seq + $2, removed_seq = last_seq + $2 WHERE region_id = $1 RETURNING last_seq', [regionId, count]),
    );
    if (!row) throw new Error(`region ${regionId} has no sequence row`);
    return Number(row.last_seq) - count + 1;
  }

  /**
   * Turns live envelopes into tombstones (sealed fields dropped, row kept so the id stays in the
   * reconciled set and re-pushes are refused) and gives their bytes back to the senders' usage.
   * A tombstone gets a new seq, so devices past the old one learn of the removal from their pull.
   * Returns the ids actually removed; already-removed ids are left alone (idempotent).
   */
  async remove(regionId: number, ids: Buffer[], reason: RemovedReason, manager?: EntityManager): Promise<Buffer[]> {
    if (ids.length === 0) return [];
    const run = async (m: EntityManager) => {
      const first = await this.reserveRemovalSeq(m, regionId, ids.length);
      const rows = returnedRows<{ id: Buffer; sender: string; size: number; counted: boolean }>(
        await m.query(
          `WITH locked AS (
             SELECT id FROM envelope WHERE region_id = $1 AND id = ANY($2::bytea[]) AND removed_at IS NULL FOR UPDATE),
           target AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM locked),
           -- the sealed fields stay restorable for the retention period (restore(), purgeRemoved())
           kept AS (
             INSERT INTO removed_envelope (region_id, id, sealed_recipients, sealed_letter, public_content)
             SELECT $1, e.id, e.sealed_recipients, e.sealed_letter, e.public_content
               FROM envelope e JOIN target t ON e.id = t.id WHERE e.region_id = $1
             ON CONFLICT (region_id, id) DO NOTHING)
           UPDATE envelope e
              SET seq = $4 + t.n, removed_at = now(), removed_reason = $3,
                  sealed_letter = NULL, sealed_recipients = NULL, public_content = NULL
             FROM target t
            WHERE e.region_id = $1 AND e.id = t.id
           RETURNING e.id, ${accountSql('e')} AS sender, e.size, ${countedSql('e')} AS counted`,
          [regionId, ids, reason, first],
        ),
      );
      const { people, bytes, envelopes } = usageBySender(rows);
      if (people.length) {
        await m.query(
          `UPDATE person_usage p SET bytes = greatest(p.bytes - u.b, 0), envelopes = greatest(p.envelopes - u.n, 0), updated_at = now()
             FROM unnest($2::text[], $3::bigint[], $4::int[]) AS u(person, b, n)
            WHERE p.region_id = $1 AND p.person = u.person`,
          [regionId, people, bytes, envelopes],
        );
      }
      return rows.map((r) => r.id);
    };
    return inTransaction(manager ?? this.ds, run);
  }

  /**
   * Undoes removals still within the retention period: the rows get their sealed fields back and
   * a new seq (so pull cursors see them again), their usage is added back and their eviction
   * records go. Returns the ids restored; ids not removed or already purged are left alone.
   */
  async restore(regionId: number, ids: Buffer[]): Promise<Array<{ id: Buffer; account: string }>> {
    if (ids.length === 0) return [];
    return inTransaction(this.ds, async (m) => {
      const first = await this.reserveRemovalSeq(m, regionId, ids.length);
      // `sender` is the usage account here (the claimed sender, or the unproven pool)
      const rows = returnedRows<{ id: Buffer; sender: string; size: number; counted: boolean }>(
        await m.query(
          `WITH back AS (
             DELETE FROM removed_envelope r USING envelope e
              WHERE r.region_id = $1 AND r.id = ANY($2::bytea[]) AND e.region_id = r.region_id AND e.id = r.id AND e.removed_at IS NOT NULL
             RETURNING r.id, r.sealed_recipients, r.sealed_letter, r.public_content),
           target AS (SELECT *, row_number() OVER (ORDER BY id) - 1 AS n FROM back)
           UPDATE envelope e
              SET seq = $3 + t.n, removed_at = NULL, removed_reason = NULL,
                  sealed_letter = t.sealed_letter, sealed_recipients = t.sealed_recipients, public_content = t.public_content
             FROM target t
            WHERE e.region_id = $1 AND e.id = t.id
           RETURNING e.id, ${accountSql('e')} AS sender, e.size, ${countedSql('e')} AS counted`,
          [regionId, ids, first],
        ),
      );
      const { people, bytes, envelopes } = usageBySender(rows);
      if (people.length) {
        await m.query(
          `INSERT INTO person_usage (region_id, person, bytes, envelopes)
           SELECT $1, u.person, u.b, u.n FROM unnest($2::text[], $3::bigint[], $4::int[]) AS u(person, b, n) ORDER BY u.person
           ON CONFLICT (region_id, person) DO UPDATE
             SET bytes = person_usage.bytes + excluded.bytes, envelopes = person_usage.envelopes + excluded.envelopes, updated_at = now()`,
          [regionId, people, bytes, envelopes],
        );
        await m.query('DELETE FROM eviction WHERE region_id = $1 AND envelope_id = ANY($2::bytea[])', [regionId, rows.map((r) => r.id)]);
      }
      return rows.map((r) => ({ id: r.id, account: r.sender }));
    });
  }

  /** Ids of a person's removed envelopes still restorable, optionally only those removed for `reason`. */
  async restorable(regionId: number, person: string, reason: RemovedReason | null): Promise<Buffer[]> {
    const rows: Array<{ id: Buffer }> = await this.ds.query(
      `SELECT e.id FROM removed_envelope r JOIN envelope e ON e.region_id = r.region_id AND e.id = r.id
        WHERE r.region_id = $1 AND e.sender = $2 AND ($3::text IS NULL OR e.removed_reason = $3) ORDER BY e.ts_ms, e.id`,
      [regionId, person, reason],
    );
    return rows.map((r) => r.id);
  }

  /** Forgets the sealed fields of removals older than `retentionSeconds`: they can no longer be undone. */
  async purgeRemoved(regionId: number, retentionSeconds: number): Promise<number> {
    const rows = returnedRows<unknown>(
      await this.ds.query(
        `DELETE FROM removed_envelope WHERE region_id = $1 AND removed_at < now() - make_interval(secs => $2) RETURNING 1`,
        [regionId, retentionSeconds],
      ),
    );
    return rows.length;
  }

  async findByIds(regionId: number, ids: Buffer[]): Promise<StoredEnvelope[]> {
    if (ids.length === 0) return [];
    const rows = await this.ds.query(
      `SELECT ${SELECT_COLUMNS} FROM envelope WHERE region_id = $1 AND id = ANY($2::bytea[])`,
      [regionId, ids],
    );
    return rows.map(toStored);
  }

  async findOne(regionId: number, id: Buffer): Promise<StoredEnvelope | null> {
    const [row] = await this.findByIds(regionId, [id]);
    return row ?? null;
  }

  /** Rows (tombstones included) with seq > after, in seq order: the resumable pull cursor. */
  async pullAfter(regionId: number, after: number, limit: number): Promise<{ rows: StoredEnvelope[]; scannedTo: number }> {
    const rows = await this.ds.query(
      `SELECT ${SELECT_COLUMNS} FROM envelope WHERE region_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [regionId, after, limit],
    );
    const all = rows.map(toStored);
    // Tombstones advance the cursor but are not sent as envelopes.
    return { rows: all, scannedTo: all.length ? all[all.length - 1].seq : after };
  }

  async lastSeq(regionId: number): Promise<number> {
    const [row] = await this.ds.query('SELECT last_seq FROM region_seq WHERE region_id = $1', [regionId]);
    return row ? Number(row.last_seq) : 0;
  }

  /** (ts, id) of every envelope ever accepted (tombstones included) with seq > after: feeds the reconciliation index. */
  async reconRowsAfter(regionId: number, after: number, limit: number): Promise<ReconRow[]> {
    const rows: Array<{ seq: string; ts_ms: string; id: Buffer }> = await this.ds.query(
      'SELECT seq, ts_ms, id FROM envelope WHERE region_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [regionId, after, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), tsMs: Number(r.ts_ms), id: r.id }));
  }

  /** Sender and proof of the envelopes these ids name (tombstones included): what an edit may replace. */
  async editTargets(regionId: number, ids: Buffer[]): Promise<Map<string, { sender: string; proven: boolean }>> {
    const out = new Map<string, { sender: string; proven: boolean }>();
    if (ids.length === 0) return out;
    const rows: Array<{ id: Buffer; sender: string; proven: boolean }> = await this.ds.query(
      'SELECT id, sender, signature_v2 IS NOT NULL AS proven FROM envelope WHERE region_id = $1 AND id = ANY($2::bytea[])',
      [regionId, ids],
    );
    for (const r of rows) out.set(r.id.toString('hex'), { sender: r.sender, proven: r.proven });
    return out;
  }

  /** Ids of live envelopes, in timestamp order, for the original kiki /list route. */
  async liveIds(regionId: number): Promise<Buffer[]> {
    const rows: Array<{ id: Buffer }> = await this.ds.query(
      'SELECT id FROM envelope WHERE region_id = $1 AND removed_at IS NULL ORDER BY ts_ms, id',
      [regionId],
    );
    return rows.map((r) => r.id);
  }
}
