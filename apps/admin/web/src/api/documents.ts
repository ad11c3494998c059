import { graphql } from '../gql';

// Every operation the dashboard sends. graphql-codegen checks each against the committed
// schema.gql and types it (src/gql): a change of the API fails `npm run build`.

export const OverviewDocument = graphql(`
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
`);

export const QueueHealthDocument = graphql(`
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
`);

export const SeriesDocument = graphql(`
  query Series($region: String!, $from: DateTime!, $to: DateTime!, $step: Int!) {
    usageSeries(region: $region, from: $from, to: $to, step: $step) {
      at
      bytes
      envelopes
      people
    }
  }
`);

export const RegionDocument = graphql(`
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
`);

export const PeopleDocument = graphql(`
  query People($region: String!, $orderBy: PersonOrder!, $search: String, $first: Int!, $after: String) {
    persons(region: $region, orderBy: $orderBy, search: $search, first: $first, after: $after) {
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
`);

/** What a dry run of a tier or policy change would evict (both previews show it alike). */
export const EvictionPreviewFragment = graphql(`
  fragment EvictionPreviewFields on EvictionPreview {
    people
    envelopes
    bytes
    complete
  }
`);

export const PreviewTierDocument = graphql(`
  query PreviewTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {
    previewPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {
      ...EvictionPreviewFields
    }
  }
`);

export const SetTierDocument = graphql(`
  mutation SetTier($region: String!, $publicKey: String!, $tier: QuotaTier!, $overrideBytes: Float) {
    setPersonTier(region: $region, publicKey: $publicKey, tier: $tier, overrideBytes: $overrideBytes) {
      publicKey
      tier
      limit
    }
  }
`);

export const PreviewPolicyDocument = graphql(`
  query PreviewPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {
    previewQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {
      ...EvictionPreviewFields
    }
  }
`);

export const SetPolicyDocument = graphql(`
  mutation SetPolicy($region: String!, $defaultBytes: Float, $trustedBytes: Float) {
    setQuotaPolicy(region: $region, defaultBytes: $defaultBytes, trustedBytes: $trustedBytes) {
      defaultBytes
      trustedBytes
    }
  }
`);

export const EvictionsDocument = graphql(`
  query Evictions($region: String!, $person: String, $reason: EvictionReason, $since: DateTime, $until: DateTime, $after: String) {
    evictions(region: $region, person: $person, reason: $reason, since: $since, until: $until, first: 50, after: $after) {
      nodes {
        ...EvictionRow
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const EvictionRowFragment = graphql(`
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
`);

export const EvictionHappenedDocument = graphql(`
  subscription EvictionHappened($region: String!) {
    evictionHappened(region: $region) {
      ...EvictionRow
    }
  }
`);

export const AuditDocument = graphql(`
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
`);

export const RegionListDocument = graphql(`
  query RegionList {
    regions {
      publicKey
      name
    }
  }
`);
