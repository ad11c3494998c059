import type { Request } from 'express';
import type { PersonLoader } from '../loaders/person.loader';
import type { RegionLoader } from '../loaders/region.loader';
import type { RequestAuth } from './request-auth';

/** What the resolver (see page-cache.ts) of a cacheable operation reports back to the cache (through the context). */
export interface PageCacheNote {
  /** the page had more rows after it: appends cannot change it, only removals can */
  full?: boolean;
}

/** What every resolver and guard gets as GraphQL context (one per HTTP request or subscription). */
export interface GqlContext {
  transport: 'http' | 'ws';
  req?: Request;
  auth: RequestAuth;
  persons: PersonLoader;
  regions: RegionLoader;
  /** set by the page cache when this operation may be cached; the page's resolver fills it in */
  pageCache?: PageCacheNote;
}
