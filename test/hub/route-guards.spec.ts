import 'reflect-metadata';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/hub/src/app.module';
import { PUBLIC_ROUTE } from '../../apps/hub/src/common/public-route';
import { KikiWriteLimitGuard } from '../../apps/hub/src/common/rate-limits';
import { KikiMemberGuard } from '../../apps/hub/src/kiki/kiki-member.guard';
import { SyncAuthGuard } from '../../apps/hub/src/sync/sync-auth.guard';

/**
 * Guards that check who the caller is. A rate limit (KikiWriteLimitGuard) is no authentication,
 * and KikiMemberGuard asks for a membership token only in regions that opted in
 * (kikiRoutesRequireToken): by default those routes stay public, so they carry @PublicRoute too.
 */
const AUTH_GUARDS = new Set<unknown>([SyncAuthGuard]);
const NOT_AUTH_GUARDS = new Set<unknown>([KikiWriteLimitGuard, KikiMemberGuard]);

interface Route {
  route: string;
  authGuards: string[];
  otherGuards: unknown[];
  publicReason?: string;
}

/** Every controller reachable from a module, statically: its own and those of the modules it imports. */
function controllersOf(root: unknown, seen = new Set<unknown>()): Array<Type<unknown>> {
  if (!root || seen.has(root)) return [];
  seen.add(root);
  const dynamic = typeof root === 'object' ? (root as { module: unknown; controllers?: Array<Type<unknown>>; imports?: unknown[] }) : null;
  const cls = dynamic ? dynamic.module : root;
  const controllers: Array<Type<unknown>> = [...(dynamic?.controllers ?? []), ...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls as object) ?? [])];
  const imports: unknown[] = [...(dynamic?.imports ?? []), ...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls as object) ?? [])];
  for (const i of imports) controllers.push(...controllersOf(i, seen));
  return [...new Set(controllers)];
}

function routesOf(controller: Type<unknown>): Route[] {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
  const routes: Route[] = [];
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value;
    if (typeof handler !== 'function' || name === 'constructor') continue;
    const path = Reflect.getMetadata(PATH_METADATA, handler);
    if (path === undefined) continue; // a helper method, not a route
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
    const guards: unknown[] = [...classGuards, ...(Reflect.getMetadata(GUARDS_METADATA, handler) ?? [])];
    routes.push({
      route: `${method} /${[base, String(path)].filter((p) => p && p !== '/').join('/')} (${controller.name}.${name})`,
      authGuards: guards.filter((g) => AUTH_GUARDS.has(g)).map((g) => (g as { name: string }).name),
      otherGuards: guards.filter((g) => !AUTH_GUARDS.has(g)),
      publicReason: Reflect.getMetadata(PUBLIC_ROUTE, handler) ?? Reflect.getMetadata(PUBLIC_ROUTE, controller),
    });
  }
  return routes;
}

// The REST routes are Nest controllers'. Not covered here: /graphql (test/graphql/guards.spec.ts
// checks every resolver), /docs (Swagger, off in production unless DOCS_ENABLED) and METRICS_PORT.
describe('REST access rules', () => {
  const routes = controllersOf(AppModule.forRoot()).flatMap(routesOf);

  it('finds the controllers and their routes (the walk over the module graph works)', () => {
    expect(routes.map((r) => r.route.split(' (')[0]).sort()).toEqual(
      expect.arrayContaining(['POST /sync/:region/push', 'GET /sync/:region/pull', 'POST /r/:region/envelope', 'GET /health/live', 'GET /metrics']),
    );
    expect(routes.length).toBeGreaterThanOrEqual(11);
  });

  it('every route is behind an auth guard or marked @PublicRoute with a reason, never both', () => {
    const open = routes.filter((r) => r.authGuards.length === 0 && !r.publicReason).map((r) => r.route);
    const both = routes.filter((r) => r.authGuards.length > 0 && r.publicReason).map((r) => r.route);
    const blankReason = routes.filter((r) => r.publicReason !== undefined && !(typeof r.publicReason === 'string' && r.publicReason.trim().length >= 10)).map((r) => r.route);
    expect(open).toEqual([]);
    expect(both).toEqual([]);
    expect(blankReason).toEqual([]);
  });

  it('every guard on a route is known to this test as auth or not (a new guard must be classified here)', () => {
    const unknown = routes.flatMap((r) => r.otherGuards.filter((g) => !NOT_AUTH_GUARDS.has(g)).map((g) => `${r.route}: ${(g as { name?: string }).name}`));
    expect(unknown).toEqual([]);
  });

  it('the public routes are exactly the original kiki routes and the operations probes', () => {
    expect(routes.filter((r) => r.publicReason).map((r) => r.route.split(' (')[0]).sort()).toEqual([
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'GET /r/:region/download/:id',
      'GET /r/:region/list',
      'GET /r/:region/ping',
      'POST /r/:region/envelope',
    ]);
  });
});
