import { Inject, Injectable } from '@nestjs/common';
import { UsageSampleRepository } from '@kiki/storage';
import { HubConfig } from '../config/hub-config';
import { OnQuotaJob } from './quota.jobs';

/** Records each region's usage on a schedule (a repeatable job of the quota queue) for usageSeries. */
@Injectable()
export class UsageSampleService {
  constructor(
    private readonly samples: UsageSampleRepository,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  @OnQuotaJob('usage.sample')
  sample(_payload: Record<string, never>): Promise<number> {
    return this.samples.record(this.config.USAGE_SAMPLE_RETENTION_DAYS);
  }
}
