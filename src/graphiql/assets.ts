import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where GraphiQL's files are served from: this project, never a CDN. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';

const require = createRequire(import.meta.url);
const dist = join(dirname(require.resolve('@graphql-yoga/graphiql/package.json')), 'dist');

/** The only files served, by URL name: GraphiQL's bundle, its CSS, Monaco's workers, our panel. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  'yoga-graphiql.umd.js': { file: join(dist, 'yoga-graphiql.umd.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { file: join(dist, 'graphiql.css'), type: 'text/css; charset=utf-8' },
  'editor.worker.js': { file: join(dist, 'monacoeditorwork', 'editor.worker.bundle.js'), type: 'text/javascript; charset=utf-8' },
  'json.worker.js': { file: join(dist, 'monacoeditorwork', 'json.worker.bundle.js'), type: 'text/javascript; charset=utf-8' },
  'graphql.worker.js': { file: join(dist, 'monacoeditorwork', 'graphql.worker..bundle.js'), type: 'text/javascript; charset=utf-8' },
  // fileURLToPath, not URL.pathname: a folder name with a space is %20 in a URL's path.
  'upload-panel.js': { file: fileURLToPath(new URL('./upload-panel.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
};

/**
 * Serves GraphiQL's assets from the installed packages (read once, on first request, then kept:
 * ~6 MB). Returns false for any other request.
 */
export function createGraphiqlAssets() {
  const cache = new Map<string, Buffer>();
  return function serveAsset(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (!path.startsWith(GRAPHIQL_ASSETS_PATH) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const name = path.slice(GRAPHIQL_ASSETS_PATH.length);
    const asset = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return true;
    }
    let body = cache.get(name);
    if (!body) {
      body = readFileSync(asset.file);
      cache.set(name, body);
    }
    res.writeHead(200, { 'content-type': asset.type, 'content-length': body.length, 'cache-control': 'public, max-age=3600' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
