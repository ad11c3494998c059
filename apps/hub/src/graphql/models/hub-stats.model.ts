import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Totals over every region of this hub (admin).' })
export class HubStats {
  @Field(() => Int) regions: number;
  @Field(() => Float, { description: 'live envelopes' }) envelopes: number;
  @Field(() => Float, { description: 'bytes counted toward quotas' }) bytes: number;
  @Field(() => Int, { description: 'people with at least one live envelope, counted once per region' }) people: number;
}
