import type { Plugin } from 'graphql-yoga';
import { sendContinue } from '../http/expect-continue.js';
import { readAtMost } from '../io/read-at-most.js';
import { isStreamedUpload, type NodeServerContext } from './use-streaming-uploads.js';
import { requestRefusal } from '../http/request-refusals.js';

/** Longest JSON, GraphQL or form body by default, in bytes: far above any operation, far below harm. */
export const DEFAULT_MAX_BODY_SIZE = 1_048_576;

/** Options of {@link useBodyLimit}. */
export interface BodyLimitOptions {
  /**
   * Longest JSON, GraphQL or form body, in bytes, or `false` to leave them to others (a host's
   * own server, when the plugin comes with cover uploads).
   * @default 1048576
   */
  maxBodySize?: number | false | undefined;
  /**
   * Longest multipart body that Yoga's own parser reads whole (no Node request: `yoga.fetch`,
   * other runtimes), or `false` to leave them to others. On node:http a multipart body is
   * streamed and bounded part by part instead.
   */
  maxMultipartSize: number | false;
}

/**
 * Refuses, with 413, a request body longer than its bound: by its declared length before a byte is
 * read, and for a body without one (chunked) as soon as the count passes the bound. Yoga would
 * otherwise read and parse any size, and the parse of a small-looking 24 MB JSON body alone took
 * gigabytes. (Yoga's own `maxRequestBodySize` has one bound for every body, too small for an upload
 * or too large for JSON, and pipes each body through a second stream to count it.)
 */
export function useBodyLimit(options: BodyLimitOptions): Plugin<object, NodeServerContext> {
  const { maxBodySize = DEFAULT_MAX_BODY_SIZE, maxMultipartSize } = options;
  const tooLarge = (maxBytes: number, size?: number) =>
    requestRefusal(
      'body-too-large',
      `The request body ${size === undefined ? 'is' : `declares ${size} bytes, which is`} larger than the ${maxBytes} bytes accepted.`,
      { connection: 'close' },
    );
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI, serverContext }) {
      if (request.method !== 'POST' || !requestParser || isStreamedUpload(request, serverContext)) return;
      const multipart = request.headers.get('content-type')?.toLowerCase().startsWith('multipart/') ?? false;
      const maxBytes = multipart ? maxMultipartSize : maxBodySize;
      if (maxBytes === false) return;
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) {
        // A client waiting for `100 Continue` gets this answer instead, and sends nothing.
        setRequestParser(() => {
          throw tooLarge(maxBytes, Number(declared));
        });
        return;
      }
      if (serverContext.req && serverContext.res) sendContinue(serverContext.req, serverContext.res);
      if (declared !== null) return;
      // No declared length: count while reading, then hand Yoga's parser the bytes read.
      setRequestParser(async (original) => {
        const body = await readAtMost(original.body, maxBytes);
        if (body === undefined) throw tooLarge(maxBytes);
        return requestParser(
          new fetchAPI.Request(original.url, {
            method: original.method,
            headers: original.headers,
            body: body as unknown as BodyInit,
          }),
        );
      });
    },
  };
}
