import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a presented secret with the configured one; hashing first gives equal lengths, so the time says nothing about either. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
