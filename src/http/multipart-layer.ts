import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';
import { hasCsrfHeader } from './csrf.js';
import type { OperationAnswer } from './execute-operation.js';
import { sendContinue } from './expect-continue.js';
import { guardMultipartParser } from './multipart-guard.js';
import { sendJson } from './send-json.js';
import type { UploadRequest } from './upload-request.js';

/** Options of {@link createMultipartLayer}. */
export interface MultipartLayerOptions {
  /** Path GraphQL is served on. */
  graphqlEndpoint: string;
  /** Any one of these headers lets a multipart request in (CSRF prevention). */
  csrfHeaders: readonly string[];
  /** Largest `operations` or `map` field, in bytes. */
  maxFieldSize: number;
  /** Longest request body that can hold a valid upload; a longer declared length is refused 413 before `100 Continue`. */
  maxRequestSize: number;
  /** Told of an error no answer was made for (a bug of ours): it is answered 500 "Unexpected error.". */
  onUnexpectedError?: (error: unknown) => void;
  /** Runs a parsed operation (see `createOperationExecutor`). */
  execute(operations: unknown, serverContext: Record<string, unknown>): Promise<OperationAnswer>;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Bytes read past the answer of a request whose body an operation left unread, before hanging up. */
const LINGER_BYTES = 64 * 1024;
const LINGER_MS = 1000;
/** How long a stopped request's connection stays open after the answer, for the client to read it. */
const HANG_UP_MS = 250;
/**
 * Most connections kept open that way at once. Each pins what Node had read for it (~150 KB); past
 * this (a flood of refused uploads) connections are closed at once, and a flooding client may then
 * see a reset instead of the answer.
 */
const MAX_HANGING_UP = 1024;

/**
 * A thin node:http layer in front of Yoga for GraphQL multipart requests: it refuses them without
 * a CSRF header before reading a byte, parses `operations` and `map` with graphql-upload-minimal
 * (the file part stays a stream for the resolver), and runs the operation through Yoga's envelop
 * pipeline (`execute`). Everything else goes to Yoga untouched.
 */
export function createMultipartLayer(next: NodeHandler, options: MultipartLayerOptions) {
  const { graphqlEndpoint, csrfHeaders, maxFieldSize, maxRequestSize, execute, onUnexpectedError } = options;
  const hangingUp = { count: 0 };
  const stopReading = (req: IncomingMessage, res: ServerResponse): void => stopReadingAndHangUp(req, res, hangingUp);
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, message: string): void => {
    stopReading(req, res);
    sendJson(res, status, JSON.stringify({ errors: [{ message }] }));
  };

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST' || !isMultipart(req.headers['content-type']) || pathOf(req.url) !== graphqlEndpoint) {
      sendContinue(req, res);
      return next(req, res);
    }
    if (!hasCsrfHeader(req.headers, csrfHeaders)) {
      return refuse(req, res, 403, `Required CSRF header(s) not present: send one of ${csrfHeaders.join(', ')}.`);
    }
    const declaredSize = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (req.headers.expect !== undefined && declaredSize !== undefined && declaredSize > maxRequestSize) {
      // The client waits for `100 Continue` before sending the body: say no before it sends anything.
      return refuse(req, res, 413, `The request declares ${declaredSize} bytes; an upload needs at most ${maxRequestSize}.`);
    }
    sendContinue(req, res);
    const stopping = new AbortController();
    const stopReadingRequest = (): void => {
      if (stopping.signal.aborted) return;
      stopping.abort();
      stopReading(req, res);
    };
    res.once('finish', () => {
      if (!stopping.signal.aborted && !req.complete) linger(req);
    });
    const guard = guardMultipartParser(req, { maxFiles: 1 });
    const uploadRequest: UploadRequest = {
      ...(declaredSize !== undefined && Number.isSafeInteger(declaredSize) ? { declaredSize } : {}),
      stopReading: stopReadingRequest,
      stopped: stopping.signal,
      bodyAccepted: guard.bodyAccepted,
    };
    processRequest(req, res, { maxFiles: 1, maxFieldSize }).then(
      (operations) =>
        execute(operations, { req, res, uploadRequest }).then(
          (answer) => {
            // A part after the operation started (an undeclared extra file) refuses the request as a whole.
            const refusal = guard.refusal();
            if (refusal) refuse(req, res, refusal.status, refusal.message);
            else sendJson(res, answer.status, answer.body);
          },
          // The executor masks what resolvers throw; reaching here is a bug of ours.
          (error: unknown) => {
            onUnexpectedError?.(error);
            sendJson(res, 500, JSON.stringify({ errors: [{ message: 'Unexpected error.' }] }));
          },
        ),
      (error: { status?: number; message?: string }) => {
        const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 400;
        refuse(req, res, status === 499 ? 400 : status, error.message ?? 'Invalid multipart request.');
      },
    );
  };
}

function isMultipart(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith('multipart/form-data');
}

function pathOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return q === -1 ? (url ?? '/') : url!.slice(0, q);
}

/**
 * Stops reading a request whose body we no longer want. The answer says `connection: close`, and
 * the connection is then closed in two steps (RFC 9112 §9.6): first our sending side (FIN), which
 * tells a client still sending the body that the answer is complete (undici, curl and browsers
 * then stop and read it); the socket itself `HANG_UP_MS` later. Node's own way, closing at once,
 * resets a connection whose client bytes are still arriving, and the client may lose the answer.
 */
function stopReadingAndHangUp(req: IncomingMessage, res: ServerResponse, hangingUp: { count: number }): void {
  if (req.complete || req.socket.destroyed) return;
  req.unpipe();
  req.pause();
  // Pausing the request alone lets Node read on until its buffer fills; stop the socket itself.
  req.socket.pause();
  const socket = req.socket;
  const hangUp = (): void => {
    socket.end();
    if (hangingUp.count >= MAX_HANGING_UP) return void socket.destroy();
    hangingUp.count++;
    const timer = setTimeout(() => socket.destroy(), HANG_UP_MS);
    socket.once('close', () => {
      hangingUp.count--;
      clearTimeout(timer);
    });
  };
  if (res.headersSent) {
    res.once('finish', hangUp);
    return;
  }
  res.setHeader('connection', 'close');
  // Node closes a `connection: close` socket with destroySoon() once the answer is written.
  socket.destroySoon = hangUp;
}

/**
 * The answer is out but the operation left part of the body unread (a file variable it never
 * used): read on a little so the connection can be reused, then hang up rather than hang.
 */
function linger(req: IncomingMessage): void {
  req.unpipe();
  let extra = 0;
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  req.on('data', (chunk: Buffer) => {
    extra += chunk.length;
    if (extra > LINGER_BYTES) req.socket.destroy();
  });
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
