import type { ReadRepository } from '@kiki/storage';
import type { AdminAccountService } from '../../admin/admin-account.service';
import type { Request } from 'express';
import type { HubConfig } from '../../config/hub-config';
import type { RegionService } from '../../regions/region.service';
import type { SyncAuthService } from '../../sync/sync-auth.service';
import { PersonLoader } from '../loaders/person.loader';
import { RegionLoader } from '../loaders/region.loader';
import type { GqlContext } from './gql-context';
import { RequestAuth } from './request-auth';

// one per request (the page cache and Apollo's context both ask)
const byRequest = new WeakMap<Request, RequestAuth>();

/** Builds the GraphQL context: credentials and DataLoaders of one request (HTTP) or one subscription (WebSocket). */
export class GqlContextFactory {
  constructor(
    private readonly config: HubConfig,
    private readonly regions: RegionService,
    private readonly syncAuth: SyncAuthService,
    private readonly reads: ReadRepository,
    private readonly admins: AdminAccountService,
  ) {}

  auth(authorization: string | undefined): RequestAuth {
    return new RequestAuth(authorization, { regions: this.regions, syncAuth: this.syncAuth, adminToken: this.config.ADMIN_TOKEN, admins: this.admins });
  }

  /** The credentials of one HTTP request, the same object for everything that asks (page cache, Apollo context). */
  authFor(req: Request): RequestAuth {
    let auth = byRequest.get(req);
    if (!auth) byRequest.set(req, (auth = this.auth(req.headers.authorization)));
    return auth;
  }

  http(req: Request): GqlContext {
    return { transport: 'http', req, auth: this.authFor(req), persons: new PersonLoader(this.reads), regions: new RegionLoader(this.reads) };
  }

  /** One socket shares its RequestAuth (a token is checked once per socket); loaders do not cache across events. */
  ws(auth: RequestAuth): GqlContext {
    return { transport: 'ws', auth, persons: new PersonLoader(this.reads, { cache: false }), regions: new RegionLoader(this.reads, { cache: false }) };
  }
}
