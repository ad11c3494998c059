import { UseGuards } from '@nestjs/common';
import { Args, Float, GraphQLISODateTime, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { CurrentRegion, Persons, RegionMemberGuard } from '../auth/guards';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../dto/limits';
import { PersonArgs, PersonsArgs } from '../dto/persons.args';
import { pageComplexity } from '../limits';
import type { PersonLoader } from '../loaders/person.loader';
import { PersonConnection } from '../models/person-connection.model';
import { Person } from '../models/person.model';
import { QuotaTier } from '../models/quota-enums';
import { PersonQueryService } from '../services/person-query.service';

@Resolver(() => Person)
export class PersonResolver {
  constructor(private readonly queries: PersonQueryService) {}

  @UseGuards(RegionMemberGuard)
  @Query(() => Person, { nullable: true, description: 'One person of a region; null with NOT_FOUND when the hub never stored anything of theirs there.' })
  person(@Args() args: PersonArgs, @CurrentRegion() region: RegionContext, @Persons() loader: PersonLoader): Promise<Person> {
    return this.queries.person(region, args.publicKey, loader);
  }

  @UseGuards(RegionMemberGuard)
  @Query(() => PersonConnection, { nullable: true, complexity: pageComplexity(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), description: 'People of a region, by key, usage, envelopes or pressure; `search` by key prefix or name.' })
  persons(@Args() args: PersonsArgs, @CurrentRegion() region: RegionContext, @Persons() loader: PersonLoader): Promise<PersonConnection> {
    return this.queries.persons(region, args, loader);
  }

  @ResolveField(() => String, { nullable: true })
  name(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<string | null> {
    return this.queries.name(person, loader);
  }

  @ResolveField(() => Float)
  async usage(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<number> {
    return (await this.queries.usage(person, loader)).bytes;
  }

  @ResolveField(() => Int)
  async envelopeCount(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<number> {
    return (await this.queries.usage(person, loader)).envelopes;
  }

  @ResolveField(() => QuotaTier)
  async tier(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<QuotaTier> {
    return (await this.queries.quota(person, loader)).tier;
  }

  @ResolveField(() => Float, { nullable: true })
  async limit(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<number | null> {
    return (await this.queries.quota(person, loader)).limit;
  }

  @ResolveField(() => Float, { nullable: true })
  override(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<number | null> {
    return this.queries.override(person, loader);
  }

  @ResolveField(() => Float, { nullable: true })
  pressure(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<number | null> {
    return this.queries.pressure(person, loader);
  }

  @ResolveField(() => Float)
  ingestBytesLastHour(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<number> {
    return this.queries.ingestBytesLastHour(person, loader);
  }

  @ResolveField(() => GraphQLISODateTime, { nullable: true })
  projectedFullAt(@Parent() person: Person, @Persons() loader: PersonLoader): Promise<Date | null> {
    return this.queries.projectedFullAt(person, loader);
  }
}
