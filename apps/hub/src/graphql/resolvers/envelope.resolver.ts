import { UseGuards } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import type { GqlContext } from '../auth/gql-context';
import { CurrentRegion, RegionMemberGuard } from '../auth/guards';
import { EnvelopeArgs, EnvelopesArgs } from '../dto/envelopes.args';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SUBMIT_ENVELOPES } from '../dto/limits';
import { SubmitEnvelopesArgs } from '../dto/submit.input';
import { pageComplexity } from '../limits';
import { EnvelopeConnection } from '../models/envelope-connection.model';
import { Envelope } from '../models/envelope.model';
import { SubmitEnvelopesPayload } from '../models/submit-result.model';
import { EnvelopeQueryService } from '../services/envelope-query.service';

@UseGuards(RegionMemberGuard)
@Resolver(() => Envelope)
export class EnvelopeResolver {
  constructor(private readonly queries: EnvelopeQueryService) {}

  @Query(() => EnvelopeConnection, {
    nullable: true,
    complexity: pageComplexity(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    description: 'Live envelopes of a region in commit order. Stable while others write: a saved cursor never skips or repeats one.',
  })
  async envelopes(@Args() args: EnvelopesArgs, @CurrentRegion() region: RegionContext, @Context() ctx: GqlContext): Promise<EnvelopeConnection> {
    const connection = await this.queries.envelopes(region, args);
    // tells the page cache whether appends can still change this page (see PageCachePlugin)
    if (ctx.pageCache) ctx.pageCache.full = connection.pageInfo.hasNextPage;
    return connection;
  }

  @Query(() => Envelope, { nullable: true, description: 'One envelope by id; null with a NOT_FOUND error when the region does not hold it (or removed it).' })
  envelope(@Args() args: EnvelopeArgs, @CurrentRegion() region: RegionContext): Promise<Envelope> {
    return this.queries.envelope(region, args.id);
  }

  @Mutation(() => SubmitEnvelopesPayload, {
    complexity: 10 + MAX_SUBMIT_ENVELOPES,
    description: 'Stores sealed envelopes through the same checks as POST /sync/:region/push; one result per item, in order.',
  })
  submitEnvelopes(@Args() args: SubmitEnvelopesArgs, @CurrentRegion() region: RegionContext): Promise<SubmitEnvelopesPayload> {
    return this.queries.submit(region, args.envelopes);
  }
}
