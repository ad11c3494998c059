import { Injectable } from '@nestjs/common';
import { type EnforceResult, EvictionService } from './eviction.service';
import { OnQuotaJob, type PersonJob } from './quota.jobs';

/**
 * The `quota.erase` job (enqueued when a person's action-erase letter is stored): records their
 * newest erase letter, removes what it covers, then evaluates them like quota.evaluate.
 */
@Injectable()
export class QuotaEraseHandler {
  constructor(private readonly eviction: EvictionService) {}

  @OnQuotaJob('quota.erase')
  erase(job: PersonJob): Promise<EnforceResult> {
    return this.eviction.enforce(job.regionId, job.person, { findErase: true });
  }
}
