import { HubError } from '../../common/errors';

// Cursors are opaque to clients (base64url) so their content can change without breaking them.
const ENVELOPE = 'e1:';
const PERSON = 'p1:';

export function envelopeCursor(seq: number): string {
  return Buffer.from(`${ENVELOPE}${seq}`).toString('base64url');
}

export function parseEnvelopeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === null) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(ENVELOPE) ? Number(text.slice(ENVELOPE.length)) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new HubError('BAD_REQUEST', 'after is not an envelope cursor: pass `pageInfo.endCursor` or an envelope\'s `cursor` unchanged', 'after');
  }
  return seq;
}

export interface PersonCursor {
  order: string;
  /** pressure cursors hold a float, or null past the people with a limit */
  value: number | string | null;
  person: string;
}

export function personCursor(c: PersonCursor): string {
  return Buffer.from(PERSON + JSON.stringify([c.order, c.value, c.person])).toString('base64url');
}

export function parsePersonCursor(cursor: string | undefined, order: string): PersonCursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const bad = () => new HubError('BAD_REQUEST', 'after is not a persons cursor: pass `pageInfo.endCursor` unchanged, with the same orderBy', 'after');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PERSON)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(PERSON.length));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[2] !== 'string' || parsed[2].length > 64) throw bad();
  const [o, value, person] = parsed as [unknown, unknown, string];
  if (o !== order) throw new HubError('BAD_REQUEST', `after was made for orderBy ${String(o)}; page with the same orderBy or start again without after`, 'after');
  const ok =
    order === 'pressure'
      ? value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0)
      : (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && value.length <= 64);
  if (!ok) throw bad();
  return { order, value: value as number | string | null, person };
}

const EVICTION = 'v1:';

export function evictionCursor(evictionId: string): string {
  return Buffer.from(EVICTION + evictionId).toString('base64url');
}

/** The eviction id to continue below (the quota service's `before`). */
export function parseEvictionCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(EVICTION) ? text.slice(EVICTION.length) : '';
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new HubError('BAD_REQUEST', 'after is not an evictions cursor: pass `pageInfo.endCursor` unchanged', 'after');
  return id;
}

const AUDIT = 'a1:';

export function auditCursor(auditId: string): string {
  return Buffer.from(AUDIT + auditId).toString('base64url');
}

/** The audit id to continue below. */
export function parseAuditCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === null) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(AUDIT) ? text.slice(AUDIT.length) : '';
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new HubError('BAD_REQUEST', 'after is not an auditLog cursor: pass `pageInfo.endCursor` unchanged', 'after');
  return id;
}
