import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { VodEmulator } from '../emulator/server.js';
import { contentTypeOf } from '../vod/cover-rules.js';

/**
 * The embedded emulator's covers through the gateway's own listener, on the origin each client
 * used. The emulator listens on loopback only (its API takes public development credentials), so
 * a url naming it works from this machine alone; `npm start` serves on every address (HOST).
 * So, as VOD's CDN would be, the covers are served where the client can reach them:
 * - a GET or HEAD of a stored cover's path (`/vod{appId}/{videoFileId}/{coverFileId}.{type}`) is
 *   answered from the emulator's store, before Yoga looks at the endpoint;
 * - in every answer, a url of the emulator's names the origin the request came to (its Host), so
 *   it works through whatever address, name or forwarded port the client used.
 * For the embedded emulator only: a real VOD's urls are its CDN's, and are passed on as they are.
 */
export function useEmulatorCovers(emulator: Pick<VodEmulator, 'url' | 'covers'>): Plugin {
  const emulatorPrefix = `${emulator.url}/`;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const cover = emulator.covers.byPath(url.pathname);
      if (!cover) return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : (cover.bytes as Uint8Array<ArrayBuffer>), {
          status: 200,
          headers: {
            'content-type': contentTypeOf(cover.fileType),
            'content-length': String(cover.bytes.length),
            etag: `"${cover.sha1}"`,
          },
        }),
      );
    },

    onResultProcess({ request, result, setResult }) {
      if (Symbol.asyncIterator in result) return;
      const origin = `${new URL(request.url).origin}/`;
      const onOrigin = (one: ExecutionResult): ExecutionResult =>
        one.data ? { ...one, data: withPrefix(one.data, emulatorPrefix, origin) as typeof one.data } : one;
      setResult(Array.isArray(result) ? result.map(onOrigin) : onOrigin(result));
    },
  };
}

/** `value` (a result's data: objects, arrays, scalars) with every string that starts with `from` starting with `to` instead. */
function withPrefix(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.startsWith(from) ? `${to}${value.slice(from.length)}` : value;
  if (Array.isArray(value)) return value.map((item) => withPrefix(item, from, to));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPrefix(item, from, to)]));
}
