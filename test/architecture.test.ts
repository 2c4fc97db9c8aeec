// The source tree's import graph: no file may reach itself through its imports, and no import may
// run from a lower layer to a higher one (the README's "Architecture" lists the same order). The graph
// is read from src/'s TypeScript text, so type-only imports count too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '..', '..', 'src');

/**
 * Layers, lowest first. A file's layer is that of the longest prefix of its path (relative to
 * src/, without the extension) listed here; a file may import its own layer or lower ones only.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['units'],
  ['capture'],
  ['decode'],
  ['flow'],
  ['fate', 'path'],
  ['keepalive'],
  ['pipeline'],
  ['runtime'],
  ['analysis'],
  ['report'],
  ['live'],
  ['cli'],
];

function layerOf(file: string): number {
  let best = -1, bestLen = -1;
  LAYERS.forEach((prefixes, i) => {
    for (const p of prefixes) {
      if ((file === p || file.startsWith(`${p}/`)) && p.length > bestLen) { best = i; bestLen = p.length; }
    }
  });
  return best;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(full);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** src-relative module name (no extension) of a relative import from `from`, resolved as node does. */
function resolve(from: string, spec: string): string {
  const base = path.resolve(path.dirname(path.join(SRC, `${from}.ts`)), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return path.relative(SRC, candidate).replace(/\.ts$/, '').split(path.sep).join('/');
  }
  throw new Error(`${from}: cannot resolve import '${spec}'`);
}

/** Every module in src/ with the src modules it imports (import, export … from, require). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const name = path.relative(SRC, file).replace(/\.ts$/, '').split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*'(\.[^']*)'/g), ...text.matchAll(/\b(?:require|import)\(\s*'(\.[^']*)'\s*\)/g)]
      .map((m) => m[1]);
    graph.set(name, [...new Set(specs.map((s) => resolve(name, s)))]);
  }
  return graph;
}

test('the import graph reader finds the imports it must see', () => {
  const g = importGraph();
  assert.ok(g.size > 50, `only ${g.size} modules found under src/`);
  // Two imports known to exist, one of them type-only and multi-line in places.
  assert.ok(g.get('cli/main')?.includes('cli/analyze'));
  assert.ok(g.get('keepalive/engine')?.includes('flow/table'));
});

test('every src module belongs to a layer', () => {
  const missing = [...importGraph().keys()].filter((m) => layerOf(m) < 0);
  assert.deepEqual(missing, []);
});

test('no import runs from a lower layer to a higher one', () => {
  const upward: string[] = [];
  for (const [from, tos] of importGraph()) {
    for (const to of tos) if (layerOf(to) > layerOf(from)) upward.push(`${from} -> ${to}`);
  }
  assert.deepEqual(upward, []);
});

test('no module reaches itself through its imports', () => {
  const g = importGraph();
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): void => {
    state.set(m, 'open');
    stack.push(m);
    for (const next of g.get(m) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(m, 'done');
  };
  for (const m of [...g.keys()].sort()) if (!state.has(m)) visit(m);
  assert.deepEqual(cycles, []);
});
