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
    SUPERSEDED_IMAGE: { description: 'an image no newer `action-assign/image` points at' },
    SUPERSEDED_EDIT: { description: 'an older version of an edited post (or an older assign-action)' },
    LARGE: { description: 'one of the oldest large letters (sealed letter over 5000 bytes)' },
    OLDEST: { description: 'one of the oldest shares' },
    ERASE: { description: 'its sender published `action-erase` (not a quota eviction)' },
  },
});
