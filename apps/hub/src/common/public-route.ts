import { SetMetadata } from '@nestjs/common';

/** Metadata key of `@PublicRoute`: the reason a REST route needs no credentials. */
export const PUBLIC_ROUTE = 'kiki:public-route';

/**
 * Marks a REST handler as open to anyone, on purpose, and says why. It changes nothing at run
 * time: test/hub/route-guards.spec.ts requires every route to be behind an auth guard or to carry
 * this mark, so a new route cannot be left open by forgetting its guard.
 */
export const PublicRoute = (reason: string) => SetMetadata(PUBLIC_ROUTE, reason);
