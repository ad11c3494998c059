import { parseKey32 } from '@kiki/crypto';
import { HubError } from './errors';

/**
 * What a 32-byte base58 text stands for, as a sender is told it. Every surface (/sync, /r/,
 * GraphQL, admin GraphQL, the CLI) answers a malformed one with the one code INVALID_KEY.
 */
export const KEY_KINDS = {
  key: 'a base58 public key of 32 bytes',
  private: 'a base58 private key of 32 bytes',
  id: 'an envelope id (base58 of 32 bytes)',
  region: 'a region public key (base58 of 32 bytes)',
} as const;

export type KeyKind = keyof typeof KEY_KINDS;

const sentence = (field: string, kind: KeyKind, detail: string) => `${field} must be ${KEY_KINDS[kind]}: ${detail}`;

/** The sentence a malformed key gets (naming the field and what exactly is wrong); null when it is fine. */
export function keyProblem(value: unknown, field: string, kind: KeyKind): string | null {
  const parsed = parseKey32(value);
  return parsed.ok ? null : sentence(field, kind, parsed.detail);
}

/** The 32 bytes of a key or id, or HubError INVALID_KEY naming `field`. */
export function requireKey32(value: unknown, field: string, kind: KeyKind): Buffer {
  const parsed = parseKey32(value);
  if (!parsed.ok) throw new HubError('INVALID_KEY', sentence(field, kind, parsed.detail), field);
  return parsed.bytes;
}

/** requireKey32 for callers that keep the text (a region key looked up by its text). */
export function assertKey32(value: unknown, field: string, kind: KeyKind): asserts value is string {
  requireKey32(value, field, kind);
}
