import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

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

/**
 * Where each file is: the built copies (`dist/graphiql/assets/`, brotli-compressed by the build,
 * which keeps the package small) when they exist, else the development files as they are.
 */
function filesToServe(): { files: Record<string, string>; compressed: boolean } {
  const built = fileURLToPath(new URL('./assets/', import.meta.url));
  if (!existsSync(built)) return { files: graphiqlSourceFiles(), compressed: false };
  const files = Object.fromEntries(Object.keys(ASSETS).map((name) => [name, join(built, `${name}.br`)]));
  return { files, compressed: true };
}

/**
 * Serves GraphiQL's assets (read once, on first request, then kept). Built ones are brotli on
 * disk: sent as they are to a browser that accepts `br` (every current one), decompressed once for
 * any other client. Returns false for any other request.
 */
export function createGraphiqlAssets() {
  const stored = new Map<string, Buffer>();
  const plain = new Map<string, Buffer>();
  let where: ReturnType<typeof filesToServe> | undefined;
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
    where ??= filesToServe();
    let body = stored.get(name);
    if (!body) {
      body = readFileSync(where.files[name]!);
      stored.set(name, body);
    }
    const brotli = where.compressed && acceptsBrotli(req.headers['accept-encoding']);
    if (where.compressed && !brotli) {
      const decompressed = plain.get(name) ?? brotliDecompressSync(body);
      plain.set(name, decompressed);
      body = decompressed;
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'public, max-age=3600',
      ...(where.compressed ? { vary: 'accept-encoding' } : {}),
      ...(brotli ? { 'content-encoding': 'br' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** Whether an Accept-Encoding names `br` without refusing it (`br;q=0`). */
function acceptsBrotli(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    return coding?.trim().toLowerCase() === 'br' && !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
  });
}
