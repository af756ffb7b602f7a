/**
 * The shape of src/: no import loop between files or between folders, and the few directions the
 * layers must not take (the schema reads nothing of the HTTP layer, the ledger and auth nothing of
 * the upload path, API 3.0 nothing of the legacy API). Imports are read from the sources as text,
 * type-only ones included: a loop of types is a loop for a reader too. Around src/: bench/, scripts/
 * and support/ import nothing of test/, and test/ mirrors src/. No function of src/ is over 80 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Every .ts file of src/, relative to it, with the src/ files it imports. */
function importGraph(): Map<string, Set<string>> {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const targets = new Set<string>();
    for (const [, spec] of text.matchAll(/(?:import|export)[^'";]*?from\s+'(\.[^']+)'/g)) {
      targets.add(relative(SRC, normalize(join(SRC, dirname(file), spec!))).replace(/\.js$/, '.ts'));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The cycles of a graph (each once, as the path that closes it). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    if (path.includes(node)) return void found.push([...path.slice(path.indexOf(node)), node]);
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return found;
}

const graph = importGraph();
const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : '(root)');
/** Files of `from` that import a file of `to`. */
const imports = (from: string, to: string) =>
  [...graph].flatMap(([file, targets]) =>
    file.startsWith(from) ? [...targets].filter((t) => t.startsWith(to)).map((t) => `${file} -> ${t}`) : [],
  );

describe('src/', () => {
  it('has no import loop between files', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('has no import loop between its folders (the root files count as one)', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      const edges = folders.get(folderOf(file)) ?? new Set<string>();
      for (const target of targets) if (folderOf(target) !== folderOf(file)) edges.add(folderOf(target));
      folders.set(folderOf(file), edges);
    }
    expect(cycles(folders).map((c) => c.join(' -> '))).toEqual([]);
  });

  it.each([
    ['schema/', 'http/'],
    ['ledger/', 'upload/'],
    ['auth/', 'upload/'],
    ['vod/', 'upload/'],
    ['vod/api3/', 'vod/legacy/'],
    ['emulator/', 'upload/'],
  ])('keeps %s from importing %s', (from, to) => {
    expect(imports(from, to)).toEqual([]);
  });
});

describe('the project around src/', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  /** Files of `folder` (any depth) whose relative imports lead into `test/`. */
  const importsOfTest = (folder: string) =>
    (readdirSync(join(ROOT, folder), { recursive: true }) as string[])
      .filter((file) => /\.(ts|mjs|js)$/.test(file))
      .flatMap((file) =>
        [...readFileSync(join(ROOT, folder, file), 'utf8').matchAll(/from\s+'(\.[^']+)'/g)]
          .map(([, spec]) => relative(ROOT, normalize(join(ROOT, folder, dirname(file), spec!))))
          .filter((target) => target.startsWith('test/'))
          .map((target) => `${folder}/${file} -> ${target}`),
      );

  it.each(['bench', 'scripts', 'support'])('keeps %s/ from importing test/', (folder) => {
    expect(importsOfTest(folder)).toEqual([]);
  });

  it('keeps test/ mirroring src/: every test folder is a folder of src/ or one of its own', () => {
    const own = ['fixtures', 'generated', 'helpers', 'operations', 'setup', 'soak', 'tools', 'types'];
    const folders = readdirSync(join(ROOT, 'test'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const sourceFolders = new Set(
      readdirSync(SRC, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    );
    expect(folders.filter((folder) => !own.includes(folder) && !sourceFolders.has(folder))).toEqual([]);
  });
});

describe('the functions of src/', () => {
  /** Every function-like node with a body (declarations, expressions, arrows, methods), and its length in lines. */
  const lengths = () => {
    const found: { where: string; lines: number }[] = [];
    for (const file of (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'))) {
      const source = ts.createSourceFile(file, readFileSync(join(SRC, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          found.push({ where: `${file}:${start + 1}`, lines: end - start + 1 });
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    return found;
  };

  it('are at most 80 lines each (a factory of closures counts as one: split it into named steps)', () => {
    expect(lengths().filter(({ lines }) => lines > 80)).toEqual([]);
  });
});
