import { Injectable } from '@nestjs/common';
import { AdminRepository, type AuditRecord, type AuditRow } from '@kiki/storage';
import type { EntityManager } from 'typeorm';

/** The audit log: every admin action (GraphQL mutations, CLI account changes) with before -> after. */
@Injectable()
export class AuditService {
  constructor(private readonly admins: AdminRepository) {}

  /** Pass the action's transaction when it has one, so the record commits with the change. */
  record(entry: AuditRecord, m?: EntityManager): Promise<void> {
    return this.admins.audit(entry, m);
  }

  page(opts: { regionIds: number[] | null; before: string | null; limit: number }): Promise<AuditRow[]> {
    return this.admins.auditPage(opts);
  }
}
