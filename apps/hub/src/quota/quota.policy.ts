import type { QuotaPolicyRow, QuotaTier } from '@kiki/storage';

/**
 * A person's limit in bytes, or null for no limit: the hub's own identity and the unlimited
 * tier have none; otherwise the person's override, else their tier's region-wide limit.
 * The sweep's SQL (QuotaRepository.overLimit) applies the same rule.
 */
export function resolveLimit(person: string, p: QuotaPolicyRow): number | null {
  if (person === p.hubPublicKey || p.tier === 'unlimited') return null;
  if (p.overrideBytes !== null) return p.overrideBytes;
  return p.tier === 'trusted' ? p.trustedBytes : p.defaultBytes;
}

export function effectiveTier(person: string, p: QuotaPolicyRow): QuotaTier {
  return person === p.hubPublicKey ? 'unlimited' : p.tier;
}
