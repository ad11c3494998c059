import { registerEnumType } from '@nestjs/graphql';

export enum QuotaTier {
  DEFAULT = 'default',
  TRUSTED = 'trusted',
  UNLIMITED = 'unlimited',
}
registerEnumType(QuotaTier, {
  name: 'QuotaTier',
  description: 'Which of the region\'s limits applies to a person (docs/quotas.md)',
  valuesMap: {
    DEFAULT: { description: 'the region\'s default limit' },
    TRUSTED: { description: 'the region\'s larger trusted limit' },
    UNLIMITED: { description: 'no limit (the hub\'s own identity is always unlimited)' },
  },
});

export enum EvictionReason {
  UNPROVEN = 'unproven',
  SUPERSEDED_IMAGE = 'superseded-image',
  SUPERSEDED_EDIT = 'superseded-edit',
  LARGE = 'large',
  OLDEST = 'oldest',
  ERASE = 'erase',
}
registerEnumType(EvictionReason, {
  name: 'EvictionReason',
  description: 'Why the hub removed an envelope, in kiki\'s eviction order',
  valuesMap: {
    UNPROVEN: { description: 'an envelope without a verified v2 signature, removed newest-received first so that it never pushes out what the hub held' },
    SUPERSEDED_IMAGE: { description: 'an image no newer `action-assign/image` points at' },
    SUPERSEDED_EDIT: { description: 'an older version of an edited post (or an older assign-action)' },
    LARGE: { description: 'one of the oldest large letters (sealed letter over 5000 bytes)' },
    OLDEST: { description: 'one of the oldest shares' },
    ERASE: { description: 'its sender published `action-erase` (not a quota eviction)' },
  },
});

export enum SenderPolicy {
  V1 = 'v1',
  V2_FOR_QUOTA = 'v2-for-quota',
  V2_REQUIRED = 'v2-required',
}
registerEnumType(SenderPolicy, {
  name: 'SenderPolicy',
  description: 'What an envelope without a verified v2 signature (an unproven one) may do in a region (docs/quotas.md)',
  valuesMap: {
    V1: { description: 'stored and counted for its sender, but it never pushes out, erases or replaces what the hub held (default, compatible)' },
    V2_FOR_QUOTA: { description: 'only proven envelopes count toward, and can evict or erase, their sender\'s data; unproven ones share a bounded per-region pool' },
    V2_REQUIRED: { description: 'unproven envelopes are not stored (original instances can still download)' },
  },
});
