/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Overview {\n    regions {\n      publicKey\n      name\n      stats {\n        envelopes\n        bytes\n        people\n        peopleOverLimit\n        peopleNearLimit\n        ingestLastHour {\n          envelopes\n          bytes\n        }\n      }\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  query QueueHealth {\n    queueHealth {\n      lastSweepAt\n      nextSweepAt\n      workersAlive\n      waiting\n      active\n      delayed\n      failed\n      failedByRegion {\n        region\n        failed\n      }\n    }\n  }\n": typeof types.QueueHealthDocument,
    "\n  query Series($region: String!, $from: DateTime!, $to: DateTime!, $step: Int!) {\n    usageSeries(region: $region, from: $from, to: $to, step: $step) {\n      at\n      bytes\n      envelopes\n      people\n    }\n  }\n": typeof types.SeriesDocument,
    "\n  query RegionHeader($region: String!) {\n    region(publicKey: $region) {\n      publicKey\n      name\n      stats {\n        envelopes\n        bytes\n        people\n        peopleOverLimit\n        peopleNearLimit\n      }\n      quotaPolicy {\n        defaultBytes\n        trustedBytes\n      }\n    }\n  }\n": typeof types.RegionHeaderDocument,
    "\n  query People($region: String!, $orderBy: PersonOrder!, $search: String, $first: Int!, $after: String) {\n    persons(region: $region, orderBy: $orderBy, search: $search, first: $first, after: $after) {\n      nodes {\n        publicKey\n        name\n        usage\n        limit\n        tier\n        override\n        pressure\n        envelopeCount\n        ingestBytesLastHour\n        projectedFullAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PeopleDocument,
    "\n  fragment EvictionPreviewFields on EvictionPreview {\n    people\n    envelopes\n    bytes\n    complete\n  }\n": typeof types.EvictionPreviewFieldsFragmentDoc,
    "\n  query PreviewTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {\n    previewPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {\n      ...EvictionPreviewFields\n    }\n  }\n": typeof types.PreviewTierDocument,
    "\n  mutation SetTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {\n    setPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {\n      publicKey\n      tier\n      limit\n    }\n  }\n": typeof types.SetTierDocument,
    "\n  query PreviewPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {\n    previewQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {\n      ...EvictionPreviewFields\n    }\n  }\n": typeof types.PreviewPolicyDocument,
    "\n  mutation SetPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {\n    setQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {\n      defaultBytes\n      trustedBytes\n    }\n  }\n": typeof types.SetPolicyDocument,
    "\n  query Evictions($region: String!, $person: String, $reason: EvictionReason, $since: DateTime, $until: DateTime, $after: String) {\n    evictions(region: $region, person: $person, reason: $reason, since: $since, until: $until, first: 50, after: $after) {\n      nodes {\n        ...EvictionRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.EvictionsDocument,
    "\n  fragment EvictionRow on Eviction {\n    evictionId\n    envelopeId\n    reason\n    size\n    purpose\n    limitBytes\n    evictedAt\n    person {\n      publicKey\n      name\n    }\n  }\n": typeof types.EvictionRowFragmentDoc,
    "\n  subscription EvictionHappened($region: String!) {\n    evictionHappened(region: $region) {\n      ...EvictionRow\n    }\n  }\n": typeof types.EvictionHappenedDocument,
    "\n  query Audit($region: String, $after: String) {\n    auditLog(region: $region, first: 50, after: $after) {\n      nodes {\n        id\n        actor\n        action\n        region\n        target\n        before\n        after\n        at\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditDocument,
    "\n  query RegionList {\n    regions {\n      publicKey\n      name\n    }\n  }\n": typeof types.RegionListDocument,
};
const documents: Documents = {
    "\n  query Overview {\n    regions {\n      publicKey\n      name\n      stats {\n        envelopes\n        bytes\n        people\n        peopleOverLimit\n        peopleNearLimit\n        ingestLastHour {\n          envelopes\n          bytes\n        }\n      }\n    }\n  }\n": types.OverviewDocument,
    "\n  query QueueHealth {\n    queueHealth {\n      lastSweepAt\n      nextSweepAt\n      workersAlive\n      waiting\n      active\n      delayed\n      failed\n      failedByRegion {\n        region\n        failed\n      }\n    }\n  }\n": types.QueueHealthDocument,
    "\n  query Series($region: String!, $from: DateTime!, $to: DateTime!, $step: Int!) {\n    usageSeries(region: $region, from: $from, to: $to, step: $step) {\n      at\n      bytes\n      envelopes\n      people\n    }\n  }\n": types.SeriesDocument,
    "\n  query RegionHeader($region: String!) {\n    region(publicKey: $region) {\n      publicKey\n      name\n      stats {\n        envelopes\n        bytes\n        people\n        peopleOverLimit\n        peopleNearLimit\n      }\n      quotaPolicy {\n        defaultBytes\n        trustedBytes\n      }\n    }\n  }\n": types.RegionHeaderDocument,
    "\n  query People($region: String!, $orderBy: PersonOrder!, $search: String, $first: Int!, $after: String) {\n    persons(region: $region, orderBy: $orderBy, search: $search, first: $first, after: $after) {\n      nodes {\n        publicKey\n        name\n        usage\n        limit\n        tier\n        override\n        pressure\n        envelopeCount\n        ingestBytesLastHour\n        projectedFullAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PeopleDocument,
    "\n  fragment EvictionPreviewFields on EvictionPreview {\n    people\n    envelopes\n    bytes\n    complete\n  }\n": types.EvictionPreviewFieldsFragmentDoc,
    "\n  query PreviewTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {\n    previewPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {\n      ...EvictionPreviewFields\n    }\n  }\n": types.PreviewTierDocument,
    "\n  mutation SetTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {\n    setPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {\n      publicKey\n      tier\n      limit\n    }\n  }\n": types.SetTierDocument,
    "\n  query PreviewPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {\n    previewQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {\n      ...EvictionPreviewFields\n    }\n  }\n": types.PreviewPolicyDocument,
    "\n  mutation SetPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {\n    setQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {\n      defaultBytes\n      trustedBytes\n    }\n  }\n": types.SetPolicyDocument,
    "\n  query Evictions($region: String!, $person: String, $reason: EvictionReason, $since: DateTime, $until: DateTime, $after: String) {\n    evictions(region: $region, person: $person, reason: $reason, since: $since, until: $until, first: 50, after: $after) {\n      nodes {\n        ...EvictionRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.EvictionsDocument,
    "\n  fragment EvictionRow on Eviction {\n    evictionId\n    envelopeId\n    reason\n    size\n    purpose\n    limitBytes\n    evictedAt\n    person {\n      publicKey\n      name\n    }\n  }\n": types.EvictionRowFragmentDoc,
    "\n  subscription EvictionHappened($region: String!) {\n    evictionHappened(region: $region) {\n      ...EvictionRow\n    }\n  }\n": types.EvictionHappenedDocument,
    "\n  query Audit($region: String, $after: String) {\n    auditLog(region: $region, first: 50, after: $after) {\n      nodes {\n        id\n        actor\n        action\n        region\n        target\n        before\n        after\n        at\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditDocument,
    "\n  query RegionList {\n    regions {\n      publicKey\n      name\n    }\n  }\n": types.RegionListDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Overview {\n    regions {\n      publicKey\n      name\n      stats {\n        envelopes\n        bytes\n        people\n        peopleOverLimit\n        peopleNearLimit\n        ingestLastHour {\n          envelopes\n          bytes\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').OverviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QueueHealth {\n    queueHealth {\n      lastSweepAt\n      nextSweepAt\n      workersAlive\n      waiting\n      active\n      delayed\n      failed\n      failedByRegion {\n        region\n        failed\n      }\n    }\n  }\n"): typeof import('./graphql').QueueHealthDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Series($region: String!, $from: DateTime!, $to: DateTime!, $step: Int!) {\n    usageSeries(region: $region, from: $from, to: $to, step: $step) {\n      at\n      bytes\n      envelopes\n      people\n    }\n  }\n"): typeof import('./graphql').SeriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegionHeader($region: String!) {\n    region(publicKey: $region) {\n      publicKey\n      name\n      stats {\n        envelopes\n        bytes\n        people\n        peopleOverLimit\n        peopleNearLimit\n      }\n      quotaPolicy {\n        defaultBytes\n        trustedBytes\n      }\n    }\n  }\n"): typeof import('./graphql').RegionHeaderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query People($region: String!, $orderBy: PersonOrder!, $search: String, $first: Int!, $after: String) {\n    persons(region: $region, orderBy: $orderBy, search: $search, first: $first, after: $after) {\n      nodes {\n        publicKey\n        name\n        usage\n        limit\n        tier\n        override\n        pressure\n        envelopeCount\n        ingestBytesLastHour\n        projectedFullAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').PeopleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EvictionPreviewFields on EvictionPreview {\n    people\n    envelopes\n    bytes\n    complete\n  }\n"): typeof import('./graphql').EvictionPreviewFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {\n    previewPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {\n      ...EvictionPreviewFields\n    }\n  }\n"): typeof import('./graphql').PreviewTierDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {\n    setPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {\n      publicKey\n      tier\n      limit\n    }\n  }\n"): typeof import('./graphql').SetTierDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {\n    previewQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {\n      ...EvictionPreviewFields\n    }\n  }\n"): typeof import('./graphql').PreviewPolicyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {\n    setQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {\n      defaultBytes\n      trustedBytes\n    }\n  }\n"): typeof import('./graphql').SetPolicyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Evictions($region: String!, $person: String, $reason: EvictionReason, $since: DateTime, $until: DateTime, $after: String) {\n    evictions(region: $region, person: $person, reason: $reason, since: $since, until: $until, first: 50, after: $after) {\n      nodes {\n        ...EvictionRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').EvictionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EvictionRow on Eviction {\n    evictionId\n    envelopeId\n    reason\n    size\n    purpose\n    limitBytes\n    evictedAt\n    person {\n      publicKey\n      name\n    }\n  }\n"): typeof import('./graphql').EvictionRowFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription EvictionHappened($region: String!) {\n    evictionHappened(region: $region) {\n      ...EvictionRow\n    }\n  }\n"): typeof import('./graphql').EvictionHappenedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Audit($region: String, $after: String) {\n    auditLog(region: $region, first: 50, after: $after) {\n      nodes {\n        id\n        actor\n        action\n        region\n        target\n        before\n        after\n        at\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').AuditDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegionList {\n    regions {\n      publicKey\n      name\n    }\n  }\n"): typeof import('./graphql').RegionListDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
