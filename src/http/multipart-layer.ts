import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';
import { hasCsrfHeader } from './csrf.js';

/** Options of {@link createMultipartLayer}. */
export interface MultipartLayerOptions {
  /** Path GraphQL is served on. */
  graphqlEndpoint: string;
  /** Any one of these headers lets a multipart request in (CSRF prevention). */
  csrfHeaders: readonly string[];
  /** Largest `operations` or `map` field, in bytes. */
  maxFieldSize: number;
}

/** Node's request listener with the context a multipart request adds for the resolvers. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, context?: { stopReadingRequest: () => void }) => void;

/** Bytes read past the answer of a request whose body an operation left unread, before hanging up. */
const LINGER_BYTES = 64 * 1024;
const LINGER_MS = 1000;

/**
 * A thin node:http layer in front of Yoga for GraphQL multipart requests: it refuses them without
 * a CSRF header before reading a byte, parses `operations` and `map` with graphql-upload-minimal
 * (the file part stays a stream for the resolver), and hands Yoga the parsed operation as
 * `req.body`, which Yoga reads as JSON without touching the stream. Everything else goes to Yoga
 * untouched.
 */
export function createMultipartLayer(next: NodeHandler, options: MultipartLayerOptions) {
  const { graphqlEndpoint, csrfHeaders, maxFieldSize } = options;

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST' || !isMultipart(req.headers['content-type']) || pathOf(req.url) !== graphqlEndpoint) {
      return next(req, res);
    }
    if (!hasCsrfHeader(req.headers, csrfHeaders)) {
      return refuse(req, res, 403, `Required CSRF header(s) not present: send one of ${csrfHeaders.join(', ')}.`);
    }
    let stopped = false;
    const stopReadingRequest = (): void => {
      stopped = true;
      stopReading(req, res);
    };
    res.once('finish', () => {
      if (!stopped && !req.complete) linger(req);
    });
    processRequest(req, res, { maxFiles: 1, maxFieldSize }).then(
      (operations) => {
        // @whatwg-node/server reads a parsed `req.body` as the JSON body (its body-parser support).
        (req as IncomingMessage & { body?: unknown }).body = operations;
        next(req, res, { stopReadingRequest });
      },
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

/** Stops reading a request whose body we no longer want; the connection closes after the answer. */
function stopReading(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  if (!res.headersSent) res.setHeader('connection', 'close');
  req.unpipe();
  req.pause();
  // Pausing the request alone lets Node read on until its buffer fills; stop the socket itself.
  req.socket.pause();
}

/** A GraphQL-over-HTTP error answer, sent without reading the rest of the body. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  stopReading(req, res);
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ errors: [{ message }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
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
