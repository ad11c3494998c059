import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { GraphqlModule } from '../../apps/hub/src/graphql/graphql.module';
import { AnyAdminGuard, HubAdminGuard, PublicGuard, RegionAdminGuard } from '../../apps/hub/src/graphql/auth/guards';

// Nest's metadata keys (@nestjs/common GUARDS_METADATA, @nestjs/graphql RESOLVER_TYPE_METADATA)
const GUARDS = '__guards__';
const RESOLVER_TYPE = 'graphql:resolver_type';
const ROOT = new Set(['Query', 'Mutation', 'Subscription']);

describe('GraphQL access rules', () => {
  it('every query, mutation and subscription is behind a guard (the lint rule, as a test)', () => {
    const providers: Array<unknown> = Reflect.getMetadata('providers', GraphqlModule) ?? [];
    const roots: string[] = [];
    const unguarded: string[] = [];
    for (const p of providers) {
      if (typeof p !== 'function') continue;
      const classGuards: unknown[] = Reflect.getMetadata(GUARDS, p) ?? [];
      for (const name of Object.getOwnPropertyNames(p.prototype)) {
        const method = p.prototype[name];
        if (typeof method !== 'function' || !ROOT.has(Reflect.getMetadata(RESOLVER_TYPE, method))) continue;
        roots.push(`${p.name}.${name}`);
        const guards: unknown[] = [...classGuards, ...(Reflect.getMetadata(GUARDS, method) ?? [])];
        if (guards.length === 0) unguarded.push(`${p.name}.${name}`);
      }
    }
    expect(roots.length).toBeGreaterThanOrEqual(16);
    expect(unguarded).toEqual([]);
  });

  it('every mutation is for admins (scope-checked) or public on purpose; members have submitEnvelopes only', () => {
    const adminGuards = new Set<unknown>([HubAdminGuard, RegionAdminGuard, AnyAdminGuard, PublicGuard]);
    const providers: Array<unknown> = Reflect.getMetadata('providers', GraphqlModule) ?? [];
    const memberOnly: string[] = [];
    for (const p of providers) {
      if (typeof p !== 'function') continue;
      const classGuards: unknown[] = Reflect.getMetadata(GUARDS, p) ?? [];
      for (const name of Object.getOwnPropertyNames(p.prototype)) {
        const method = p.prototype[name];
        if (typeof method !== 'function' || Reflect.getMetadata(RESOLVER_TYPE, method) !== 'Mutation') continue;
        const guards: unknown[] = [...classGuards, ...(Reflect.getMetadata(GUARDS, method) ?? [])];
        if (!guards.some((g) => adminGuards.has(g))) memberOnly.push(`${p.name}.${name}`);
      }
    }
    // a new admin mutation guarded by RegionMemberGuard alone would let any member of the region call it
    expect(memberOnly).toEqual(['EnvelopeResolver.submitEnvelopes']);
  });
});
