import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A region\'s totals at one moment (the last sample of a step of usageSeries).' })
export class UsageSample {
  @Field(() => GraphQLISODateTime, { description: 'start of the step' }) at: Date;
  @Field(() => Float, { description: 'bytes counted toward quotas' }) bytes: number;
  @Field(() => Float, { description: 'live envelopes' }) envelopes: number;
  @Field(() => Int, { description: 'people with at least one live envelope' }) people: number;
}

@ObjectType()
export class RegionFailedJobs {
  @Field({ description: 'region public key' }) region: string;
  @Field(() => Int, { description: 'failed quota jobs about the region (among the newest 1,000 failed jobs)' }) failed: number;
}

@ObjectType({ description: 'The quota queue and its workers (BullMQ), for the dashboard\'s queues page.' })
export class QueueHealth {
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'when the last sweep started; null when none is known' }) lastSweepAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'when the next sweep is due; null when sweeps are off (QUOTA_SWEEP_EVERY_SECONDS=0) or no worker ever scheduled one' })
  nextSweepAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'when the next usage sample is due (USAGE_SAMPLE_EVERY_SECONDS)' }) nextUsageSampleAt: Date | null;
  @Field(() => Int, { description: 'quota workers connected to the queue; 0 means nothing enforces quotas' }) workersAlive: number;
  @Field(() => Int) waiting: number;
  @Field(() => Int) active: number;
  @Field(() => Int) delayed: number;
  @Field(() => Int, { description: 'jobs that failed every attempt (kept for inspection and retry)' }) failed: number;
  @Field(() => [RegionFailedJobs], { description: 'failed jobs per region, most first' }) failedByRegion: RegionFailedJobs[];
}
