import 'reflect-metadata';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { GLOBAL_MODULE_METADATA, GUARDS_METADATA, INTERCEPTORS_METADATA, MODULE_METADATA } from '@nestjs/common/constants';
import { describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/hub/src/app.module';
import type { HubConfig } from '../../apps/hub/src/config/hub-config';
import { WorkerModule } from '../../apps/hub/src/worker';

// The Nest wiring of the hub, read statically from the module metadata (no database needed):
// no global module but ConfigModule, and every provider in exactly one module.
const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'apps/hub/src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}
const sources = tsFiles(SRC).map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }));

/** Module classes of the hub: `@Module(...) export class X` in apps/hub/src (the walk stops at Nest's own modules). */
const OWN_MODULES = new Set(sources.flatMap(({ text }) => [...text.matchAll(/@Module\([^]*?\)\s*export class (\w+)/g)].map((m) => m[1])));

interface Node {
  name: string;
  /** the key Nest uses: the class, or the dynamic module object */
  key: unknown;
  global: boolean;
  providers: Provider[];
  controllers: Array<Type<unknown>>;
}

function meta<T>(key: string, target: object): T[] {
  return (Reflect.getMetadata(key, target) as T[] | undefined) ?? [];
}

/** Every hub module reachable from `root`, once per Nest module (a dynamic module object is its own module). */
function modulesOf(root: Type<unknown> | DynamicModule): Node[] {
  const seen = new Map<unknown, Node>();
  const visit = (m: unknown) => {
    if (!m || seen.has(m)) return;
    const dynamic = typeof m === 'object' ? (m as DynamicModule) : null;
    const cls = (dynamic ? dynamic.module : m) as Type<unknown>;
    if (!OWN_MODULES.has(cls.name)) return; // TypeORM, Terminus, GraphQL, Discovery: Nest's infrastructure
    const node: Node = {
      name: cls.name,
      key: m,
      global: dynamic?.global === true || Reflect.getMetadata(GLOBAL_MODULE_METADATA, cls) === true,
      providers: [...meta<Provider>(MODULE_METADATA.PROVIDERS, cls), ...(dynamic?.providers ?? [])],
      controllers: [...meta<Type<unknown>>(MODULE_METADATA.CONTROLLERS, cls), ...(dynamic?.controllers ?? [])],
    };
    seen.set(m, node);
    for (const i of [...meta<unknown>(MODULE_METADATA.IMPORTS, cls), ...(dynamic?.imports ?? [])]) visit(i);
  };
  visit(root);
  return [...seen.values()];
}

const tokenName = (p: Provider): string => {
  const token = typeof p === 'function' ? p : p.provide;
  return typeof token === 'function' ? token.name : String(token);
};

const apps = {
  hub: modulesOf(AppModule.forRoot()),
  worker: modulesOf(WorkerModule.forRoot({} as HubConfig)),
};

describe('Nest modules', () => {
  it('finds the feature modules (the walk works)', () => {
    expect(apps.hub.map((m) => m.name)).toEqual(
      expect.arrayContaining(['AppModule', 'ConfigModule', 'StorageModule', 'RedisModule', 'HealthModule', 'SyncModule', 'IngestModule', 'KikiModule', 'RegionsModule', 'AdminModule', 'GraphqlModule', 'QuotaModule']),
    );
    expect(apps.worker.map((m) => m.name).sort()).toEqual(['ConfigModule', 'QuotaModule', 'RedisModule', 'StorageModule', 'WorkerModule']);
  });

  // ConfigModule only: HubConfig is read by nearly every provider, holds nothing but the parsed
  // env, and forRoot(config) is given the value each app is built with (like @nestjs/config's isGlobal).
  it('are never global, but ConfigModule', () => {
    const globals = [...apps.hub, ...apps.worker].filter((m) => m.global).map((m) => m.name);
    expect([...new Set(globals)]).toEqual(['ConfigModule']);
    const written = sources.filter(({ file, text }) => file !== 'apps/hub/src/config/config.module.ts' && /@Global\(|global:\s*true/.test(text)).map((s) => s.file);
    expect(written).toEqual([]);
  });

  it('provide each provider in exactly one module of an app', () => {
    for (const [app, modules] of Object.entries(apps)) {
      const where = new Map<string, string[]>();
      for (const m of modules) for (const p of m.providers) where.set(tokenName(p), [...(where.get(tokenName(p)) ?? []), m.name]);
      const twice = [...where].filter(([, ms]) => ms.length > 1).map(([t, ms]) => `${app}: ${t} in ${ms.join(', ')}`);
      expect(twice).toEqual([]);
    }
  });

  it('provide every injectable class of apps/hub/src: in one module class, or as a guard or interceptor of a controller', () => {
    const injectables = sources.flatMap(({ text }) => [...text.matchAll(/@Injectable\(\)\s*export class (\w+)/g)].map((m) => m[1]));
    expect(injectables.length).toBeGreaterThan(40);
    const providedBy = new Map<string, Set<string>>();
    for (const m of [...apps.hub, ...apps.worker]) for (const p of m.providers) providedBy.set(tokenName(p), (providedBy.get(tokenName(p)) ?? new Set()).add(m.name));
    const enhancers = new Set<string>();
    for (const c of apps.hub.flatMap((m) => m.controllers)) {
      const targets = [c, ...Object.getOwnPropertyNames(c.prototype).map((k) => Object.getOwnPropertyDescriptor(c.prototype, k)?.value as object)];
      for (const t of targets.filter((x) => typeof x === 'function')) {
        for (const e of [...meta<Type<unknown>>(GUARDS_METADATA, t), ...meta<Type<unknown>>(INTERCEPTORS_METADATA, t)]) enhancers.add(e.name);
      }
    }
    const problems = injectables.flatMap((name) => {
      const by = [...(providedBy.get(name) ?? [])];
      if (by.length === 1) return enhancers.has(name) ? [`${name}: provided by ${by[0]} and also built by Nest as a controller's enhancer`] : [];
      if (by.length === 0) return enhancers.has(name) ? [] : [`${name}: provided by no module`];
      return [`${name}: provided by ${by.join(', ')}`];
    });
    expect(problems).toEqual([]);
  });

  it('share one QuotaModule.forHub() in the hub (a second call would be a second quota module)', () => {
    expect(apps.hub.filter((m) => m.name === 'QuotaModule')).toHaveLength(1);
  });
});
