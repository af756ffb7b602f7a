import type { Plugin } from 'graphql-yoga';
import { bodyStillArriving, stopReadingAndHangUp } from '../http/hang-up.js';
import type { NodeServerContext } from './use-streaming-uploads.js';

/**
 * Closes the connection after an answer given before the request's body was read, instead of
 * letting node:http read the rest and throw it away to keep the connection: otherwise every
 * refusal that needs no body (Yoga's own 404, 405 and 415; a plugin's 401, CSRF 403 or 413) would
 * read whatever the client goes on sending, without end. Put first: it only looks at answers.
 *
 * An answer to a body that was read in part is a refusal only when its status says so (a chunked
 * body cut off at its limit); an upload answered while a part it did not need is still arriving
 * is left to `useStreamingUploads`, which reads on a little so the connection can be reused.
 */
export function useHangUpOnUnreadBody(): Plugin<object, NodeServerContext> {
  return {
    onResponse({ serverContext, response }) {
      const { req, res } = serverContext;
      if (!req || !res || !bodyStillArriving(req)) return;
      if (!req.readableDidRead || response.status >= 400) stopReadingAndHangUp(req, res);
    },
  };
}
