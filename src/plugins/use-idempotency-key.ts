import type { Plugin } from 'graphql-yoga';
import { requestRefusal } from '../http/request-refusals.js';

/** What the plugin adds to the GraphQL context. */
export interface IdempotencyKeyContext {
  /** The request's `Idempotency-Key`, unquoted; absent when the request sent none. */
  idempotencyKey?: string;
}

/** 1–255 visible ASCII characters, without `"` or `\`: a Structured Fields string's content, or a bare token. */
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/;

/**
 * The `Idempotency-Key` request header (IETF draft-ietf-httpapi-idempotency-key-header), read once
 * and put on the context as `idempotencyKey`: an upload sent again with the same key (a client's
 * retry after a lost answer) gets the first upload's answer instead of a new VOD call, even when a
 * newer cover of the video came in between. A malformed key is refused with 400 before the body is
 * read. The draft writes the key as a quoted string (`"8e03…"`); a bare token is taken too, as many
 * APIs take it.
 */
export function useIdempotencyKey(): Plugin<IdempotencyKeyContext> {
  const keys = new WeakMap<Request, string>();
  return {
    onRequestParse({ request }) {
      const header = request.headers.get('idempotency-key');
      if (header === null) return;
      const text = header.trim();
      const key = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
      if (!KEY.test(key)) {
        throw requestRefusal(
          'bad-idempotency-key',
          'The Idempotency-Key header must be 1–255 visible ASCII characters, without " or \\ inside (a quoted string or a bare token).',
        );
      }
      keys.set(request, key);
    },
    onContextBuilding({ context, extendContext }) {
      const key = keys.get((context as { request: Request }).request);
      if (key !== undefined) extendContext({ idempotencyKey: key });
    },
  };
}
