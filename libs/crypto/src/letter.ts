/** The letter: kiki's plaintext, a small JSON object sealed inside every envelope. */
import { LetterError } from './errors';
import { isPurpose, type Purpose } from './letter-kinds';

export { isAction, isPurpose, PURPOSES, type Purpose } from './letter-kinds';

export interface Letter {
  purpose: Purpose;
  to?: string[];
  content?: string;
  first_id?: string;
  reply_to?: string;
}

/** Characters Go's encoding/json escapes and JSON.stringify does not. */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const GO_ESCAPED_TEST = /[<>&\u2028\u2029]/;

function goEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A JSON string literal exactly as Go's json.Marshal writes it (HTML-safe escapes). */
function goQuote(s: string): string {
  const q = JSON.stringify(s);
  return GO_ESCAPED_TEST.test(q) ? q.replace(GO_ESCAPED, goEscape) : q;
}

/**
 * The letter JSON: fields in the order purpose,to,content,first_id,reply_to, empty ones omitted,
 * strings escaped like Go's json.Marshal (`<` as \u003c …). That is byte for byte what the
 * original program seals (checked against every vector), so our letters are indistinguishable.
 */
export function letterToJson(l: Letter): string {
  let s = `{"purpose":${goQuote(l.purpose)}`;
  if (l.to && l.to.length > 0) s += `,"to":[${l.to.map(goQuote).join(',')}]`;
  if (l.content) s += `,"content":${goQuote(l.content)}`;
  if (l.first_id) s += `,"first_id":${goQuote(l.first_id)}`;
  if (l.reply_to) s += `,"reply_to":${goQuote(l.reply_to)}`;
  return `${s}}`;
}

function optionalString(o: Record<string, unknown>, name: keyof Letter): string | undefined {
  const v = o[name];
  // Go decodes null into a string as "", so null means absent here too.
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new LetterError(`letter field "${name}" must be a string`);
  return v;
}

/**
 * Reads an opened plaintext into a fresh Letter holding only the five known fields (empty ones
 * omitted). Unknown fields are ignored, as the original's Go decoder does. Throws LetterError.
 */
export function parseLetter(json: string): Letter {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new LetterError('letter is not valid JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new LetterError('letter is not a JSON object');
  }
  const o = v as Record<string, unknown>;
  const purpose = Object.prototype.hasOwnProperty.call(o, 'purpose') ? o.purpose : undefined;
  if (!isPurpose(purpose)) {
    const shown = typeof purpose === 'string' ? JSON.stringify(purpose.slice(0, 64)) : typeof purpose;
    throw new LetterError(`letter purpose ${shown} is not one of kiki's purposes`);
  }
  const letter: Letter = { purpose };
  const to = Object.prototype.hasOwnProperty.call(o, 'to') ? o.to : undefined;
  if (to !== undefined && to !== null) {
    if (!Array.isArray(to) || !to.every((t) => typeof t === 'string')) {
      throw new LetterError('letter field "to" must be an array of strings');
    }
    if (to.length > 0) letter.to = to.slice() as string[];
  }
  const own = (k: keyof Letter) => (Object.prototype.hasOwnProperty.call(o, k) ? optionalString(o, k) : undefined);
  const content = own('content');
  if (content !== undefined) letter.content = content;
  const firstId = own('first_id');
  if (firstId !== undefined) letter.first_id = firstId;
  const replyTo = own('reply_to');
  if (replyTo !== undefined) letter.reply_to = replyTo;
  return letter;
}
