import { Injectable } from '@nestjs/common';
import { type EnforceResult, EvictionService } from './eviction.service';
import { OnQuotaJob, type PersonJob } from './quota.jobs';

/**
 * The `quota.evaluate` job (enqueued after ingest, policy changes and sweeps): brings one person
 * of one region within their limit, by EvictionService.enforce.
 */
@Injectable()
export class QuotaEvaluateHandler {
  constructor(private readonly eviction: EvictionService) {}

  @OnQuotaJob('quota.evaluate')
  evaluate(job: PersonJob): Promise<EnforceResult> {
    return this.eviction.enforce(job.regionId, job.person);
  }
}
