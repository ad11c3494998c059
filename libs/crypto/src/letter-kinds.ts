/**
 * kiki's letter purposes: the one list, with no run-time imports, so that code that must not load
 * sodium-native (the client core, a browser) can import it as `@kiki/crypto/letters` while the
 * rest of @kiki/crypto re-exports it from letter.ts.
 */
export type Purpose =
  | 'share-text'
  | 'share-image/png'
  | 'share-image/jpg'
  | 'share-key'
  | 'action-follow'
  | 'action-like'
  | 'action-assign/name'
  | 'action-assign/profile'
  | 'action-assign/image'
  | 'action-block'
  | 'action-erase';

/** The complete list (PROTOCOL.md); anything else is invalid. */
export const PURPOSES: readonly Purpose[] = Object.freeze([
  'share-text',
  'share-image/png',
  'share-image/jpg',
  'share-key',
  'action-follow',
  'action-like',
  'action-assign/name',
  'action-assign/profile',
  'action-assign/image',
  'action-block',
  'action-erase',
] as const);

const PURPOSE_SET: ReadonlySet<string> = new Set(PURPOSES);

export function isPurpose(p: unknown): p is Purpose {
  return typeof p === 'string' && PURPOSE_SET.has(p);
}

export function isAction(p: string): boolean {
  return typeof p === 'string' && p.startsWith('action-');
}
