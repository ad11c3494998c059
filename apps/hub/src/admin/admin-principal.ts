/** Who an admin credential speaks for, and where. */
export interface AdminPrincipal {
  /** what the audit log records: the account's username, or `ADMIN_TOKEN` for the operator's token */
  actor: string;
  /** a hub admin sees and changes every region; a region admin only `regionIds` */
  hub: boolean;
  regionIds: ReadonlySet<number>;
  /** public keys of the granted regions (region admins) */
  regionKeys: ReadonlySet<string>;
  /** set for an account session (absent for ADMIN_TOKEN) */
  session?: { tokenHash: Buffer; username: string; expiresAt: Date; absoluteExpiresAt: Date };
}

/** The operator's ADMIN_TOKEN: a hub admin without an account. */
export const TOKEN_PRINCIPAL: AdminPrincipal = { actor: 'ADMIN_TOKEN', hub: true, regionIds: new Set(), regionKeys: new Set() };

/** Whether a principal may see or change this region (by id). */
export function inScope(p: AdminPrincipal, regionId: number): boolean {
  return p.hub || p.regionIds.has(regionId);
}
