/**
 * `npm run build`: compiles src/ to dist/ with tsc, and carries along what tsc does not: the SQL
 * migrations, and GraphiQL's files (so that the running service needs no GraphiQL package).
 * `--if-stale` (npm start's prestart) builds only when dist/ is missing or older than a source.
 * Plain JavaScript, so that it runs before anything is compiled.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  const built = join(dist, 'main.js');
  if (!existsSync(built)) return true;
  // An installed package ships dist/ without its sources: nothing to build from.
  if (!existsSync(join(root, 'src'))) return false;
  const sources = Math.max(
    newestSource(join(root, 'src')),
    statSync(join(root, 'package.json')).mtimeMs,
    statSync(join(root, 'tsconfig.json')).mtimeMs,
  );
  return sources > statSync(built).mtimeMs;
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
cpSync(join(root, 'src', 'ledger', 'migrations'), join(dist, 'ledger', 'migrations'), { recursive: true });
cpSync(join(root, 'src', 'graphiql', 'upload-panel.js'), join(dist, 'graphiql', 'upload-panel.js'));
// A cover the start-up curl can send, wherever the package is installed (test/ is not shipped).
cpSync(join(root, 'test', 'fixtures', 'cover.jpg'), join(dist, 'sample-cover.jpg'));
// The files the service serves, where the compiled module finds them in this checkout, copied to
// where it looks first once built.
const { graphiqlSourceFiles } = await import(new URL('../dist/graphiql/assets.js', import.meta.url).href);
const assets = join(dist, 'graphiql', 'assets');
mkdirSync(assets, { recursive: true });
// Brotli, as the service sends them to browsers: 8.8 MB of GraphiQL is 2.1 MB so (quality 9, ~0.6 s).
for (const [name, file] of Object.entries(graphiqlSourceFiles())) {
  const bytes = readFileSync(file);
  const br = brotliCompressSync(bytes, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  writeFileSync(join(assets, `${name}.br`), br);
}
console.log(`built ${dist}`);
