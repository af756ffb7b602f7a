import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where GraphiQL's files are served from: this project, never a CDN. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';

const JS = 'text/javascript; charset=utf-8';

/**
 * The only files served, by URL name (GraphiQL's bundle, its CSS, Monaco's workers, our panel):
 * their media type, and where each is in a development checkout, in @graphql-yoga/graphiql's
 * `dist` (a devDependency) or next to this module. `npm run build` copies them into
 * `dist/graphiql/assets/`.
 */
const ASSETS: Readonly<Record<string, { type: string; source(graphiqlDist: string): string }>> = {
  'yoga-graphiql.umd.js': { type: JS, source: (dist) => join(dist, 'yoga-graphiql.umd.js') },
  'graphiql.css': { type: 'text/css; charset=utf-8', source: (dist) => join(dist, 'graphiql.css') },
  'editor.worker.js': { type: JS, source: (dist) => join(dist, 'monacoeditorwork', 'editor.worker.bundle.js') },
  'json.worker.js': { type: JS, source: (dist) => join(dist, 'monacoeditorwork', 'json.worker.bundle.js') },
  'graphql.worker.js': { type: JS, source: (dist) => join(dist, 'monacoeditorwork', 'graphql.worker..bundle.js') },
  // fileURLToPath, not URL.pathname: a folder name with a space is %20 in a URL's path.
  'upload-panel.js': { type: JS, source: () => fileURLToPath(new URL('./upload-panel.js', import.meta.url)) },
};

/** Where each served file is in a development checkout (what `npm run build` copies). */
export function graphiqlSourceFiles(): Record<string, string> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json')), 'dist');
  return Object.fromEntries(Object.entries(ASSETS).map(([name, asset]) => [name, asset.source(dist)]));
}

/** The built copies (`dist/graphiql/assets/`) when they exist, else the development files. */
function filesToServe(): Record<string, string> {
  const built = fileURLToPath(new URL('./assets/', import.meta.url));
  if (!existsSync(built)) return graphiqlSourceFiles();
  return Object.fromEntries(Object.keys(ASSETS).map((name) => [name, join(built, name)]));
}

/**
 * Serves GraphiQL's assets (read once, on first request, then kept: ~6 MB). Returns false for any
 * other request.
 */
export function createGraphiqlAssets() {
  const cache = new Map<string, Buffer>();
  let files: Record<string, string> | undefined;
  return function serveAsset(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (!path.startsWith(GRAPHIQL_ASSETS_PATH) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const name = path.slice(GRAPHIQL_ASSETS_PATH.length);
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name]!.type : undefined;
    if (!type) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return true;
    }
    let body = cache.get(name);
    if (!body) {
      files ??= filesToServe();
      body = readFileSync(files[name]!);
      cache.set(name, body);
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
