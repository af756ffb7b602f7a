import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { requestContext } from '../observability/request-context.js';

/** What the plugin adds to the GraphQL context. */
export interface RequestIdContext {
  /** The request's id, for its log lines. */
  requestId?: string;
}

/** A request id a client or a proxy may give: a token of 1–128 word characters, dots, colons or dashes. */
const SANE_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id for logs, on the context as `requestId`: the client's (or a proxy's)
 * `x-request-id` when it is a sane token, else a new UUID; echoed in the answer's `x-request-id`.
 */
export function useRequestId(): Plugin<RequestIdContext, { req?: object }> {
  // Keyed by the Node request when there is one: a plugin may replace the fetch Request
  // (useStreamingUploads does, for an upload), never the Node request.
  const ids = new WeakMap<object, string>();
  return {
    onRequest({ request, serverContext }) {
      const given = request.headers.get('x-request-id');
      const id = given !== null && SANE_ID.test(given) ? given : randomUUID();
      ids.set(serverContext.req ?? request, id);
      // Every log line of the request carries it (see request-context.ts).
      const context = requestContext.getStore();
      if (context) context.requestId = id;
    },
    onContextBuilding({ context, extendContext }) {
      const { req, request } = context as { req?: object; request: Request };
      const id = ids.get(req ?? request);
      if (id !== undefined) extendContext({ requestId: id });
    },
    onResponse({ request, response, serverContext }) {
      const id = ids.get(serverContext.req ?? request);
      if (id !== undefined) response.headers.set('x-request-id', id);
    },
  };
}
