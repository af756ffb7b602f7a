import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { sendContinue } from '../http/expect-continue.js';
import { lingerAfterAnswer, stopReadingAndHangUp } from '../http/hang-up.js';
import { guardMultipartParser, type MultipartGuard } from '../http/multipart-guard.js';
import { requestRefusal } from '../http/request-refusals.js';
import { MULTIPART_DEFAULTS, multipartOverhead } from '../multipart/multipart-limits.js';
import type { UploadRequest } from '../multipart/upload-request.js';

/** Options of {@link useStreamingUploads}. */
export interface StreamingUploadsOptions {
  /**
   * Largest `operations` or `map` field, in bytes.
   * @default 100000
   */
  maxFieldSize?: number | undefined;
  /**
   * Longest request body that can hold a valid upload. A client that waits for `100 Continue` and
   * declares more is refused 413 before it sends a byte; other requests are cut off by the resolver
   * (FILE_TOO_LARGE) before their file is read.
   * @default Infinity
   */
  maxRequestSize?: number;
  /**
   * Most file parts in one request; one more is refused 413.
   * @default 1
   */
  maxFiles?: number;
}

/** What node:http hands Yoga as the server context (`yoga.requestListener`, `createServer(yoga)`). */
export interface NodeServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
}

/** What the plugin adds to the GraphQL context of a streamed multipart request. */
export interface StreamingUploadsContext {
  uploadRequest?: UploadRequest;
}

/**
 * GraphQL multipart requests (the spec apollo-upload-client, urql and GraphiQL send), parsed as a
 * stream inside Yoga's own pipeline: every Yoga and envelop plugin sees an upload as it sees any
 * other request, and its answer is Yoga's. When Yoga runs on node:http, graphql-upload-minimal's
 * `processRequest` reads the Node request: the file part reaches the resolver as a stream and is
 * never held whole. The plugin also
 * - checks each `map` path against `operations` before a file is placed (see `multipart-guard.ts`);
 * - refuses 413 a request that sends a file part `map` does not declare, or more than `maxFiles`;
 * - puts an {@link UploadRequest} on the context (`uploadRequest`), so the resolver can stop reading
 *   the request (the connection is then closed once the answer is out) and know its declared size.
 *
 * Where there is no Node request (`yoga.fetch`, other runtimes) Yoga's own multipart parser runs,
 * which reads the whole body and hands the resolver a `File`.
 *
 * Answers that need no body come first: a refusal by an earlier hook (CSRF prevention's
 * `onRequestParse`, a user's `onRequest`) is sent before a byte of the body is read, and
 * `useHangUpOnUnreadBody` then closes the connection rather than the body being read.
 */
export function useStreamingUploads(
  options: StreamingUploadsOptions = {},
): Plugin<StreamingUploadsContext, NodeServerContext> {
  const {
    maxFieldSize = MULTIPART_DEFAULTS.maxFieldSize,
    maxRequestSize = Infinity,
    maxFiles = MULTIPART_DEFAULTS.maxFiles,
  } = options;
  const uploads: StreamingUploads = { maxFieldSize, maxRequestSize, maxFiles, streamed: new WeakMap() };

  return {
    onRequest({ request, setRequest, serverContext, fetchAPI }) {
      if (!isStreamedUpload(request, serverContext)) return;
      // The body is read from the Node request. Yoga's view of the request gets none, so that no one
      // else reads it too: Yoga's own body-size limit (`maxRequestBodySize`) pipes any body it sees
      // through a second stream.
      setRequest(
        new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal }),
      );
    },

    onRequestParse({ request, serverContext, setRequestParser }) {
      if (!isStreamedUpload(request, serverContext)) return;
      const { req, res } = serverContext as Required<NodeServerContext>;
      setRequestParser(parserFor(uploads, request, req, res));
    },

    onContextBuilding({ context, extendContext }) {
      const upload = uploads.streamed.get((context as { request: Request }).request);
      if (upload) extendContext({ uploadRequest: upload.uploadRequest });
    },

    onResultProcess({ request, result, setResult }) {
      // A part that arrived after the operation started (an undeclared extra file) refuses the request as a whole.
      const upload = uploads.streamed.get(request);
      const refusal = upload?.guard.refusal();
      if (!upload || !refusal) return;
      upload.stop();
      if (!Array.isArray(result)) setResult({ errors: [requestRefusal(refusal.kind, refusal.message)] });
    },
  };
}

/** The plugin's settings and the uploads it streams, by Yoga's view of their request. */
interface StreamingUploads {
  readonly maxFieldSize: number;
  readonly maxRequestSize: number;
  readonly maxFiles: number;
  readonly streamed: WeakMap<Request, StreamedUpload>;
}

/** A streamed upload as the later hooks see it. */
interface StreamedUpload {
  readonly uploadRequest: UploadRequest;
  readonly guard: MultipartGuard;
  /** Stops reading the request; the connection is closed once the answer is out. */
  stop(): void;
}

/** The body's parser: a refusal before a byte is read when the declared size is too large, else the stream's. */
function parserFor(
  uploads: StreamingUploads,
  request: Request,
  req: IncomingMessage,
  res: ServerResponse,
): () => Promise<GraphQLParams> {
  const { maxRequestSize } = uploads;
  const declaredSize = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (req.headers.expect !== undefined && declaredSize !== undefined && declaredSize > maxRequestSize) {
    // The client waits for `100 Continue` before sending the body: say no before it sends anything.
    stopReadingAndHangUp(req, res);
    return () => {
      throw requestRefusal(
        'upload-too-large',
        `The request declares ${declaredSize} bytes; an upload needs at most ${maxRequestSize}.`,
      );
    };
  }
  return () => parseStreamed(uploads, request, req, res, declaredSize);
}

async function parseStreamed(
  uploads: StreamingUploads,
  request: Request,
  req: IncomingMessage,
  res: ServerResponse,
  declaredSize: number | undefined,
): Promise<GraphQLParams> {
  sendContinue(req, res);
  const upload = startUpload(req, res, declaredSize, uploads);
  try {
    const { maxFiles, maxFieldSize } = uploads;
    const params = (await processRequest(req, res, { maxFiles, maxFieldSize })) as GraphQLParams;
    uploads.streamed.set(request, upload);
    return params;
  } catch (error) {
    upload.stop();
    const { status, message } = error as { status?: number; message?: string };
    // graphql-upload-minimal says 413 past a limit (files, field size), 499 for a request that
    // ended early (not read whole), 400 for the rest.
    throw requestRefusal(
      status === 413 ? 'multipart-too-large' : 'bad-multipart',
      message ?? 'Invalid multipart request.',
    );
  }
}

/** Guards the parts of a request about to be read, and gives the resolver its way to stop reading it. */
function startUpload(
  req: IncomingMessage,
  res: ServerResponse,
  declaredSize: number | undefined,
  { maxFiles, maxFieldSize }: Pick<StreamingUploads, 'maxFiles' | 'maxFieldSize'>,
): StreamedUpload {
  const stopping = new AbortController();
  const stop = (): void => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    stopReadingAndHangUp(req, res);
  };
  res.once('finish', () => {
    if (!stopping.signal.aborted && !req.complete) lingerAfterAnswer(req);
  });
  const guard = guardMultipartParser(req, { maxFiles });
  const uploadRequest: UploadRequest = {
    ...(declaredSize !== undefined && Number.isSafeInteger(declaredSize)
      ? { declaredSize, leastFileSize: declaredSize - multipartOverhead(maxFieldSize) }
      : {}),
    stopReading: stop,
    stopped: stopping.signal,
    bodyAccepted: guard.bodyAccepted,
  };
  return { uploadRequest, guard, stop };
}

/**
 * A multipart POST on node:http whose body nobody has started reading: this plugin streams it and
 * bounds it part by part. Otherwise Yoga's own parser runs.
 */
export function isStreamedUpload(request: Request, { req, res }: NodeServerContext): boolean {
  return (
    request.method === 'POST' &&
    isMultipart(request.headers.get('content-type')) &&
    req !== undefined &&
    res !== undefined &&
    !req.readableDidRead
  );
}

function isMultipart(contentType: string | null): boolean {
  return contentType?.toLowerCase().startsWith('multipart/form-data') ?? false;
}
