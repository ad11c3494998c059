/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Why the hub removed an envelope, in kiki's eviction order */
export type EvictionReason =
  /** its sender published `action-erase` (not a quota eviction) */
  | 'ERASE'
  /** one of the oldest large letters (sealed letter over 5000 bytes) */
  | 'LARGE'
  /** one of the oldest shares */
  | 'OLDEST'
  /** an older version of an edited post (or an older assign-action) */
  | 'SUPERSEDED_EDIT'
  /** an image no newer `action-assign/image` points at */
  | 'SUPERSEDED_IMAGE'
  /** an envelope without a verified v2 signature, removed newest-received first so that it never pushes out what the hub held */
  | 'UNPROVEN';

export type PersonOrder =
  /** most envelopes first (ties by public key) */
  | 'ENVELOPES_DESC'
  /** highest usage ÷ limit first, people without a limit last (ties by public key) */
  | 'PRESSURE_DESC'
  /** by public key, ascending */
  | 'PUBLIC_KEY'
  /** largest quota usage first (ties by public key) */
  | 'USAGE_DESC';

/** Which of the region's limits applies to a person (docs/quotas.md) */
export type QuotaTier =
  /** the region's default limit */
  | 'DEFAULT'
  /** the region's larger trusted limit */
  | 'TRUSTED'
  /** no limit (the hub's own identity is always unlimited) */
  | 'UNLIMITED';

export type OverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewQuery = { regions: Array<{ publicKey: string, name: string, stats: { envelopes: number, bytes: number, people: number, peopleOverLimit: number, peopleNearLimit: number, ingestLastHour: { envelopes: number, bytes: number } } }> };

export type QueueHealthQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueHealthQuery = { queueHealth: { lastSweepAt: string | null, nextSweepAt: string | null, workersAlive: number, waiting: number, active: number, delayed: number, failed: number, failedByRegion: Array<{ region: string, failed: number }> } };

export type SeriesQueryVariables = Exact<{
  region: string;
  from: string;
  to: string;
  step: number;
}>;


export type SeriesQuery = { usageSeries: Array<{ at: string, bytes: number, envelopes: number, people: number }> };

export type RegionHeaderQueryVariables = Exact<{
  region: string;
}>;


export type RegionHeaderQuery = { region: { publicKey: string, name: string, stats: { envelopes: number, bytes: number, people: number, peopleOverLimit: number, peopleNearLimit: number }, quotaPolicy: { defaultBytes: number, trustedBytes: number } } | null };

export type PeopleQueryVariables = Exact<{
  region: string;
  orderBy: PersonOrder;
  search?: string | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type PeopleQuery = { persons: { nodes: Array<{ publicKey: string, name: string | null, usage: number, limit: number | null, tier: QuotaTier, override: number | null, pressure: number | null, envelopeCount: number, ingestBytesLastHour: number, projectedFullAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type EvictionPreviewFieldsFragment = { people: number, envelopes: number, bytes: number, complete: boolean };

export type PreviewTierQueryVariables = Exact<{
  region: string;
  publicKey: string;
  tier: QuotaTier;
  overrideBytes?: number | null | undefined;
}>;


export type PreviewTierQuery = { previewPersonTier: { people: number, envelopes: number, bytes: number, complete: boolean } };

export type SetTierMutationVariables = Exact<{
  region: string;
  publicKey: string;
  tier: QuotaTier;
  overrideBytes?: number | null | undefined;
}>;


export type SetTierMutation = { setPersonTier: { publicKey: string, tier: QuotaTier, limit: number | null } };

export type PreviewPolicyQueryVariables = Exact<{
  region: string;
  defaultBytes?: number | null | undefined;
  trustedBytes?: number | null | undefined;
}>;


export type PreviewPolicyQuery = { previewQuotaPolicy: { people: number, envelopes: number, bytes: number, complete: boolean } };

export type SetPolicyMutationVariables = Exact<{
  region: string;
  defaultBytes?: number | null | undefined;
  trustedBytes?: number | null | undefined;
}>;


export type SetPolicyMutation = { setQuotaPolicy: { defaultBytes: number, trustedBytes: number } };

export type EvictionsQueryVariables = Exact<{
  region: string;
  person?: string | null | undefined;
  reason?: EvictionReason | null | undefined;
  since?: string | null | undefined;
  until?: string | null | undefined;
  after?: string | null | undefined;
}>;


export type EvictionsQuery = { evictions: { nodes: Array<{ evictionId: string, envelopeId: string, reason: EvictionReason, size: number, purpose: string | null, limitBytes: number | null, evictedAt: string, person: { publicKey: string, name: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type EvictionRowFragment = { evictionId: string, envelopeId: string, reason: EvictionReason, size: number, purpose: string | null, limitBytes: number | null, evictedAt: string, person: { publicKey: string, name: string | null } };

export type EvictionHappenedSubscriptionVariables = Exact<{
  region: string;
}>;


export type EvictionHappenedSubscription = { evictionHappened: { evictionId: string, envelopeId: string, reason: EvictionReason, size: number, purpose: string | null, limitBytes: number | null, evictedAt: string, person: { publicKey: string, name: string | null } } };

export type AuditQueryVariables = Exact<{
  region?: string | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditQuery = { auditLog: { nodes: Array<{ id: string, actor: string, action: string, region: string | null, target: string | null, before: string | null, after: string | null, at: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type RegionListQueryVariables = Exact<{ [key: string]: never; }>;


export type RegionListQuery = { regions: Array<{ publicKey: string, name: string }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const EvictionPreviewFieldsFragmentDoc = new TypedDocumentString(`
    fragment EvictionPreviewFields on EvictionPreview {
  people
  envelopes
  bytes
  complete
}
    `, {"fragmentName":"EvictionPreviewFields"}) as unknown as TypedDocumentString<EvictionPreviewFieldsFragment, unknown>;
export const EvictionRowFragmentDoc = new TypedDocumentString(`
    fragment EvictionRow on Eviction {
  evictionId
  envelopeId
  reason
  size
  purpose
  limitBytes
  evictedAt
  person {
    publicKey
    name
  }
}
    `, {"fragmentName":"EvictionRow"}) as unknown as TypedDocumentString<EvictionRowFragment, unknown>;
export const OverviewDocument = new TypedDocumentString(`
    query Overview {
  regions {
    publicKey
    name
    stats {
      envelopes
      bytes
      people
      peopleOverLimit
      peopleNearLimit
      ingestLastHour {
        envelopes
        bytes
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OverviewQuery, OverviewQueryVariables>;
export const QueueHealthDocument = new TypedDocumentString(`
    query QueueHealth {
  queueHealth {
    lastSweepAt
    nextSweepAt
    workersAlive
    waiting
    active
    delayed
    failed
    failedByRegion {
      region
      failed
    }
  }
}
    `) as unknown as TypedDocumentString<QueueHealthQuery, QueueHealthQueryVariables>;
export const SeriesDocument = new TypedDocumentString(`
    query Series($region: String!, $from: DateTime!, $to: DateTime!, $step: Int!) {
  usageSeries(region: $region, from: $from, to: $to, step: $step) {
    at
    bytes
    envelopes
    people
  }
}
    `) as unknown as TypedDocumentString<SeriesQuery, SeriesQueryVariables>;
export const RegionHeaderDocument = new TypedDocumentString(`
    query RegionHeader($region: String!) {
  region(publicKey: $region) {
    publicKey
    name
    stats {
      envelopes
      bytes
      people
      peopleOverLimit
      peopleNearLimit
    }
    quotaPolicy {
      defaultBytes
      trustedBytes
    }
  }
}
    `) as unknown as TypedDocumentString<RegionHeaderQuery, RegionHeaderQueryVariables>;
export const PeopleDocument = new TypedDocumentString(`
    query People($region: String!, $orderBy: PersonOrder!, $search: String, $first: Int!, $after: String) {
  persons(
    region: $region
    orderBy: $orderBy
    search: $search
    first: $first
    after: $after
  ) {
    nodes {
      publicKey
      name
      usage
      limit
      tier
      override
      pressure
      envelopeCount
      ingestBytesLastHour
      projectedFullAt
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<PeopleQuery, PeopleQueryVariables>;
export const PreviewTierDocument = new TypedDocumentString(`
    query PreviewTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {
  previewPersonTier(
    region: $region
    publicKey: $publicKey
    tier: $tier
    overrideBytes: $overrideBytes
  ) {
    ...EvictionPreviewFields
  }
}
    fragment EvictionPreviewFields on EvictionPreview {
  people
  envelopes
  bytes
  complete
}`) as unknown as TypedDocumentString<PreviewTierQuery, PreviewTierQueryVariables>;
export const SetTierDocument = new TypedDocumentString(`
    mutation SetTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {
  setPersonTier(
    region: $region
    publicKey: $publicKey
    tier: $tier
    overrideBytes: $overrideBytes
  ) {
    publicKey
    tier
    limit
  }
}
    `) as unknown as TypedDocumentString<SetTierMutation, SetTierMutationVariables>;
export const PreviewPolicyDocument = new TypedDocumentString(`
    query PreviewPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {
  previewQuotaPolicy(
    region: $region
    defaultBytes: $defaultBytes
    trustedBytes: $trustedBytes
  ) {
    ...EvictionPreviewFields
  }
}
    fragment EvictionPreviewFields on EvictionPreview {
  people
  envelopes
  bytes
  complete
}`) as unknown as TypedDocumentString<PreviewPolicyQuery, PreviewPolicyQueryVariables>;
export const SetPolicyDocument = new TypedDocumentString(`
    mutation SetPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {
  setQuotaPolicy(
    region: $region
    defaultBytes: $defaultBytes
    trustedBytes: $trustedBytes
  ) {
    defaultBytes
    trustedBytes
  }
}
    `) as unknown as TypedDocumentString<SetPolicyMutation, SetPolicyMutationVariables>;
export const EvictionsDocument = new TypedDocumentString(`
    query Evictions($region: String!, $person: String, $reason: EvictionReason, $since: DateTime, $until: DateTime, $after: String) {
  evictions(
    region: $region
    person: $person
    reason: $reason
    since: $since
    until: $until
    first: 50
    after: $after
  ) {
    nodes {
      ...EvictionRow
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment EvictionRow on Eviction {
  evictionId
  envelopeId
  reason
  size
  purpose
  limitBytes
  evictedAt
  person {
    publicKey
    name
  }
}`) as unknown as TypedDocumentString<EvictionsQuery, EvictionsQueryVariables>;
export const EvictionHappenedDocument = new TypedDocumentString(`
    subscription EvictionHappened($region: String!) {
  evictionHappened(region: $region) {
    ...EvictionRow
  }
}
    fragment EvictionRow on Eviction {
  evictionId
  envelopeId
  reason
  size
  purpose
  limitBytes
  evictedAt
  person {
    publicKey
    name
  }
}`) as unknown as TypedDocumentString<EvictionHappenedSubscription, EvictionHappenedSubscriptionVariables>;
export const AuditDocument = new TypedDocumentString(`
    query Audit($region: String, $after: String) {
  auditLog(region: $region, first: 50, after: $after) {
    nodes {
      id
      actor
      action
      region
      target
      before
      after
      at
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AuditQuery, AuditQueryVariables>;
export const RegionListDocument = new TypedDocumentString(`
    query RegionList {
  regions {
    publicKey
    name
  }
}
    `) as unknown as TypedDocumentString<RegionListQuery, RegionListQueryVariables>;