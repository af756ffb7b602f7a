import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'graphql-yoga';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

/**
 * Where GraphiQL's files are served from, below the GraphQL endpoint's own path (`/graphql` →
 * `/graphql/graphiql-assets/…`), from this project, never a CDN: wherever a host mounts the
 * endpoint, its page finds them (page.ts builds their URLs from the page's own location).
 */
export const GRAPHIQL_ASSETS_DIR = 'graphiql-assets/';

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
 * Serves GraphiQL's assets (read once, on first request, then kept) to a GET or HEAD of any path
 * that ends in `/graphiql-assets/<name>`, as a Yoga plugin: it answers before Yoga looks at the
 * endpoint, so it works wherever the host mounts Yoga. Built ones are brotli on disk: sent as they
 * are to a browser that accepts `br` (every current one), decompressed once for any other client.
 * Any other name there is 404; every other request goes on.
 */
export function useGraphiqlAssets(options: {
  /** Told when a file cannot be served (an install missing it); the request is answered 500. */
  onError(error: unknown, url: string): void;
}): Plugin {
  const stored = new Map<string, Buffer>();
  const plain = new Map<string, Buffer>();
  let where: ReturnType<typeof filesToServe> | undefined;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const at = url.pathname.lastIndexOf(`/${GRAPHIQL_ASSETS_DIR}`);
      if (at === -1) return;
      const name = url.pathname.slice(at + GRAPHIQL_ASSETS_DIR.length + 1);
      const type = Object.hasOwn(ASSETS, name) ? ASSETS[name]!.type : undefined;
      if (!type) {
        endResponse(new fetchAPI.Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain' } }));
        return;
      }
      where ??= filesToServe();
      let body = stored.get(name);
      if (!body) {
        try {
          body = readFileSync(where.files[name]!);
        } catch (error) {
          // A broken install: one 500 that names no file, the rest of the service untouched.
          options.onError(error, url.pathname);
          endResponse(
            new fetchAPI.Response(JSON.stringify({ errors: [{ message: 'Unexpected error.' }] }), {
              status: 500,
              headers: { 'content-type': 'application/json; charset=utf-8' },
            }),
          );
          return;
        }
        stored.set(name, body);
      }
      const brotli = where.compressed && acceptsBrotli(request.headers.get('accept-encoding') ?? undefined);
      if (where.compressed && !brotli) {
        const decompressed = plain.get(name) ?? brotliDecompressSync(body);
        plain.set(name, decompressed);
        body = decompressed;
      }
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
          status: 200,
          headers: {
            'content-type': type,
            'content-length': String(body.length),
            'cache-control': 'public, max-age=3600',
            ...(where.compressed ? { vary: 'accept-encoding' } : {}),
            ...(brotli ? { 'content-encoding': 'br' } : {}),
          },
        }),
      );
    },
  };
}

/** Whether an Accept-Encoding names `br` without refusing it (`br;q=0`). */
function acceptsBrotli(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    return coding?.trim().toLowerCase() === 'br' && !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
  });
}
