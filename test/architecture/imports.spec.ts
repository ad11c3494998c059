import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The import graph of the hub and its libs, read with TypeScript's own pre-processor (type-only
// imports count too: a cycle of types is still a cycle a reader has to untangle).
const ROOT = resolve(__dirname, '../..');
const SOURCES = ['apps/hub/src', 'libs/crypto/src', 'libs/storage/src', 'libs/sync/src'];
const ALIASES: Record<string, string> = {
  '@kiki/crypto': 'libs/crypto/src/index.ts',
  '@kiki/storage': 'libs/storage/src/index.ts',
  '@kiki/sync': 'libs/sync/src/index.ts',
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | null {
  if (ALIASES[specifier]) return join(ROOT, ALIASES[specifier]);
  if (!specifier.startsWith('.')) return null; // a package
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, `${base}.d.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return null;
}

/** file -> the project files it imports (import, export … from, import(), require). */
function importGraph(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of SOURCES.flatMap((s) => tsFiles(join(ROOT, s)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const files: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of importedFiles) {
      const target = resolveImport(file, fileName);
      if (target) files.push(target);
      else if (!fileName.startsWith('.')) packages.push(fileName);
    }
    graph.set(file, { files, packages });
  }
  return graph;
}

/** Every cycle, each once, as the files around it (Tarjan's strongly connected components). */
function cycles(graph: Map<string, { files: string[] }>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.files ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(ROOT, w));
      } while (w !== v);
      const selfLoop = graph.get(v)?.files.includes(v);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

describe('imports', () => {
  const graph = importGraph();

  it('reads the whole tree (the walk works)', () => {
    expect(graph.size).toBeGreaterThan(150);
    const ingest = graph.get(join(ROOT, 'apps/hub/src/ingest/ingest.service.ts'));
    expect(ingest?.files.map((f) => relative(ROOT, f))).toContain('apps/hub/src/health/metrics.ts');
  });

  it('have no cycles in apps/hub and the libs, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('libs never import apps/ nor Nest', () => {
    const wrong: string[] = [];
    for (const [file, { files, packages }] of graph) {
      const rel = relative(ROOT, file);
      if (!rel.startsWith('libs/')) continue;
      for (const f of files) if (relative(ROOT, f).startsWith('apps/')) wrong.push(`${rel} -> ${relative(ROOT, f)}`);
      for (const p of packages) if (p.startsWith('@nestjs/')) wrong.push(`${rel} -> ${p}`);
    }
    expect(wrong).toEqual([]);
  });
});
