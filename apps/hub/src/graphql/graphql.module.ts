import { Logger, Module } from '@nestjs/common';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { AdminModule } from '../admin/admin.module';
import { HttpModule } from '../common/http.module';
import { HubConfig, introspectionEnabled } from '../config/hub-config';
import { HealthModule } from '../health/health.module';
import { IngestModule } from '../ingest/ingest.module';
import { RegionsModule } from '../regions/regions.module';
import { StorageModule } from '../storage.module';
import { GqlContextFactory } from './auth/context.factory';
import { GraphqlAuthModule } from './auth/graphql-auth.module';
import { AnyAdminGuard, HubAdminGuard, PublicGuard, RegionAdminGuard, RegionMemberGuard } from './auth/guards';
import { formatGraphqlError } from './errors';
import { QueryLimitsPlugin } from './limits';
import { PageCache, PageCachePlugin } from './page-cache';
import { GRAPHQL_PATH, GraphqlRequestLimit } from './request-limit';
import { QuotaModule } from '../quota/quota.module';
import { AdminResolver } from './resolvers/admin.resolver';
import { AdminSessionResolver } from './resolvers/admin-session.resolver';
import { AuditResolver } from './resolvers/audit.resolver';
import { DashboardResolver } from './resolvers/dashboard.resolver';
import { EnvelopeResolver } from './resolvers/envelope.resolver';
import { PersonResolver } from './resolvers/person.resolver';
import { QuotaResolver } from './resolvers/quota.resolver';
import { RegionResolver, RegionStatsResolver } from './resolvers/region.resolver';
import { SubscriptionResolver } from './resolvers/subscription.resolver';
import { EnvelopeEventsModule } from './services/envelope-events.module';
import { EvictionEvents } from './services/eviction-events.service';
import { EnvelopeQueryService } from './services/envelope-query.service';
import { PersonQueryService } from './services/person-query.service';
import { QuotaQueryService } from './services/quota-query.service';
import { RegionQueryService } from './services/region-query.service';
import { SubscriptionServer } from './subscriptions.server';

/** Options of the Apollo server (the schema is built from the decorated models and resolvers). */
export function apolloOptions(config: HubConfig, contexts: GqlContextFactory): ApolloDriverConfig {
  return {
    path: GRAPHQL_PATH,
    autoSchemaFile: true,
    sortSchema: false,
    context: ({ req }: { req: Parameters<GqlContextFactory['http']>[0] }) => contexts.http(req),
    formatError: formatGraphqlError,
    autoTransformHttpErrors: false,
    includeStacktraceInErrorResponses: false,
    // production hides the schema unless GRAPHQL_INTROSPECTION=true (docs/reliability.md)
    introspection: introspectionEnabled(config),
    // one operation per HTTP request: batching would multiply every limit below
    allowBatchedHttpRequests: false,
    graphiql: config.NODE_ENV !== 'production',
    // no HTTP caching of answers; its per-field hook would wrap every field resolver
    plugins: [ApolloServerPluginCacheControlDisabled()],
  };
}

/**
 * The GraphQL API for third-party clients: POST /graphql (queries, mutations), graphql-ws on
 * /graphql (subscriptions). See docs/graphql.md.
 */
@Module({
  imports: [
    StorageModule,
    HealthModule,
    HttpModule,
    RegionsModule,
    AdminModule,
    IngestModule,
    QuotaModule.forHub(),
    EnvelopeEventsModule,
    GraphqlAuthModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [GraphqlAuthModule],
      inject: [HubConfig, GqlContextFactory],
      useFactory: (config: HubConfig, contexts: GqlContextFactory) => {
        if (config.NODE_ENV === 'production' && !config.ADMIN_TOKEN) {
          new Logger('GraphQL').warn({ msg: 'ADMIN_TOKEN is not set: GraphQL admin operations need an admin account session (adminLogin)' });
        }
        return apolloOptions(config, contexts);
      },
    }),
  ],
  providers: [
    GraphqlRequestLimit,
    QueryLimitsPlugin,
    PageCache,
    PageCachePlugin,
    RegionMemberGuard,
    HubAdminGuard,
    AnyAdminGuard,
    RegionAdminGuard,
    PublicGuard,
    EnvelopeQueryService,
    PersonQueryService,
    RegionQueryService,
    QuotaQueryService,
    EvictionEvents,
    SubscriptionServer,
    RegionResolver,
    RegionStatsResolver,
    EnvelopeResolver,
    PersonResolver,
    QuotaResolver,
    AdminResolver,
    AdminSessionResolver,
    AuditResolver,
    DashboardResolver,
    SubscriptionResolver,
  ],
})
export class GraphqlModule {}
