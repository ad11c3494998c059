/** Envelope timestamps: RFC 3339 text as kiki writes it, parsed strictly and normalized to UTC. */
import { EnvelopeParseError, LetterError } from './errors';

/**
 * RFC 3339 UTC text with nanoseconds, as the original writes (`2026-11-24T15:58:05.536000000Z`).
 * Always nine digits so that our timestamps sort correctly as text (Go trims trailing zeros,
 * which makes `05.5Z` sort after `05.536Z`).
 */
export function formatTimestamp(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new LetterError('invalid sealing time');
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0..9999
  if (iso.length !== 24) throw new LetterError('sealing time outside years 0000..9999');
  return `${iso.slice(0, 23)}000000Z`;
}

const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MAX_TIMESTAMP_CHARS = 35; // 2026-11-24T15:58:05.123456789+01:00

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Parses RFC 3339 (`Z` or ±hh:mm, fraction of up to 9 digits) and normalizes it to UTC `Z`
 * text keeping the fraction digits as given (the original sorts timestamps as text, so every
 * stored one must be in the same zone). `ms` is milliseconds since the epoch (fraction truncated).
 * Throws EnvelopeParseError(field 'timestamp').
 */
export function parseTimestamp(text: string): { ms: number; normalized: string } {
  const fail = (reason: string): never => {
    throw new EnvelopeParseError('timestamp', reason);
  };
  if (typeof text !== 'string') fail('expected an RFC 3339 timestamp string');
  if (text.length > MAX_TIMESTAMP_CHARS) fail(`${text.length} characters cannot be an RFC 3339 timestamp (at most ${MAX_TIMESTAMP_CHARS})`);
  const m = TIMESTAMP_RE.exec(text);
  if (!m) fail('not an RFC 3339 timestamp like 2026-11-24T15:58:05.536438035Z');
  const [, ys, mos, ds, hs, mis, ss, frac = '', sign, ohs, oms] = m as RegExpExecArray;
  const y = +ys;
  const mo = +mos;
  const d = +ds;
  const h = +hs;
  const mi = +mis;
  const s = +ss;
  if (mo < 1 || mo > 12) fail(`month ${mos} does not exist`);
  if (d < 1 || d > daysInMonth(y, mo)) fail(`day ${ds} does not exist in ${ys}-${mos}`);
  if (h > 23) fail(`hour ${hs} does not exist`);
  if (mi > 59) fail(`minute ${mis} does not exist`);
  if (s > 59) fail(`second ${ss} is not supported (leap seconds are not)`);
  let offset = 0;
  if (sign) {
    const oh = +ohs;
    const om = +oms;
    if (oh > 23 || om > 59) fail(`offset ${sign}${ohs}:${oms} does not exist`);
    offset = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
  const ms = seconds * 1000 + (frac ? Math.floor(+frac.slice(0, 3).padEnd(3, '0')) : 0);
  // Already UTC with upper-case T and Z (what every kiki program writes): the text is its own
  // normal form, no need to rebuild it (~1 µs per envelope on ingest).
  if (!sign && text.charCodeAt(10) === 84 && text.charCodeAt(text.length - 1) === 90) return { ms, normalized: text };
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const [uy, um, ud] = civilFromDays(days);
  if (uy < 0 || uy > 9999) fail('outside years 0000..9999 once converted to UTC');
  const normalized =
    `${pad(uy, 4)}-${pad(um, 2)}-${pad(ud, 2)}T${pad(Math.floor(rest / 3600), 2)}:` +
    `${pad(Math.floor((rest % 3600) / 60), 2)}:${pad(rest % 60, 2)}${frac ? `.${frac}` : ''}Z`;
  return { ms, normalized };
}
