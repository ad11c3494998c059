import { type QuotaPolicyRow, type QuotaTier } from '@kiki/storage';

/** The limit rule is defined once, with its SQL, in libs/storage (accounting.ts). */
export { resolveLimit } from '@kiki/storage';

export function effectiveTier(person: string, p: QuotaPolicyRow): QuotaTier {
  return person === p.hubPublicKey ? 'unlimited' : p.tier;
}
