import { Args, Query, Resolver } from '@nestjs/graphql';
import { RegionRepository, UsageSampleRepository } from '@kiki/storage';
import { HubError } from '../../common/errors';
import { HubConfig } from '../../config/hub-config';
import { QuotaService } from '../../quota/quota.service';
import type { RegionContext } from '../../regions/region.service';
import { CurrentRegion, HubAdmin, RegionAdmin } from '../auth/guards';
import { MAX_SERIES_POINTS, UsageSeriesArgs } from '../dto/usage-series.args';
import { QueueHealth, UsageSample } from '../models/dashboard.model';

/** What the dashboard's charts and queues page read. */
@Resolver()
export class DashboardResolver {
  constructor(
    private readonly samples: UsageSampleRepository,
    private readonly quota: QuotaService,
    private readonly regions: RegionRepository,
    private readonly config: HubConfig,
  ) {}

  @RegionAdmin()
  @Query(() => [UsageSample], {
    complexity: 50,
    description: 'The region\'s usage over time (admin of the region): the last sample of each step in [from, to); steps without a sample are absent.',
  })
  usageSeries(@Args() args: UsageSeriesArgs, @CurrentRegion() region: RegionContext): Promise<UsageSample[]> {
    if (args.from >= args.to) throw new HubError('BAD_REQUEST', 'from must be before to', 'from');
    if ((args.to.getTime() - args.from.getTime()) / 1000 / args.step > MAX_SERIES_POINTS) {
      throw new HubError('BAD_REQUEST', `from..to holds more than ${MAX_SERIES_POINTS} steps: use a larger step or a shorter range`, 'step');
    }
    return this.samples.series(region.regionId, args.from, args.to, args.step);
  }

  @HubAdmin()
  @Query(() => QueueHealth, { complexity: 20, description: 'The quota queue (hub admin): sweeps, workers alive, job counts, failed jobs per region. UNAVAILABLE without Redis.' })
  async queueHealth(): Promise<QueueHealth> {
    const h = await this.quota.health(this.config.REDIS_PREFIX);
    const keys = new Map((await this.regions.list()).map((r) => [r.regionId, r.publicKey]));
    return {
      ...h,
      failedByRegion: h.failedByRegion.filter((f) => keys.has(f.regionId)).map((f) => ({ region: keys.get(f.regionId)!, failed: f.failed })),
    };
  }
}
