import { ArgsType, Field, GraphQLISODateTime, Int } from '@nestjs/graphql';
import { IsDate, IsInt, Max, Min } from 'class-validator';
import { RegionArgs } from './region.args';

/** Steps per series at most: a chart never needs more points than this. */
export const MAX_SERIES_POINTS = 2000;

@ArgsType()
export class UsageSeriesArgs extends RegionArgs {
  @Field(() => GraphQLISODateTime, { description: 'start (included)' })
  @IsDate()
  from: Date;

  @Field(() => GraphQLISODateTime, { description: 'end (excluded)' })
  @IsDate()
  to: Date;

  @Field(() => Int, { description: `seconds per point, 60 to 2,592,000 (30 days); at most ${MAX_SERIES_POINTS} points` })
  @IsInt()
  @Min(60, { message: 'step must be at least 60 seconds' })
  @Max(30 * 86400, { message: 'step may be at most 2592000 seconds (30 days)' })
  step: number;
}
