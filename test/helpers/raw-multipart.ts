import { print } from 'graphql';
import { images } from '../fixtures/images.js';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { VIDEO_FILE_ID } from './multipart.js';
import { rawConnection } from './raw-socket.js';
import { BOUNDARY, multipartBody, type RawPart } from '../../support/multipart-body.js';

export { BOUNDARY, multipartBody, type RawPart };

export const UPLOAD_OPERATIONS = (fileId = VIDEO_FILE_ID) =>
  JSON.stringify({ query: print(UploadVideoCoverDocument), variables: { fileId, file: null } });

export interface RawResponse {
  status: number;
  body: string;
  json: { data?: Record<string, unknown> | null; errors?: { message: string }[] } | undefined;
}

/**
 * Sends bytes over a raw socket (so nothing is fixed up on the way) and reads the answer; with
 * `trickle`, the body goes out in pieces spaced in time. A body given in pieces is written piece by
 * piece (many requests can share a large file's bytes without a copy each).
 */
export function rawPost(
  url: string,
  pieces: Buffer | Buffer[],
  {
    headers = {},
    trickle,
  }: { headers?: Record<string, string>; trickle?: { pieceBytes: number; everyMs: number } } = {},
): Promise<RawResponse> {
  const { hostname, port, pathname } = new URL(url);
  const body = Array.isArray(pieces) && trickle ? Buffer.concat(pieces) : pieces;
  const length = Array.isArray(body) ? body.reduce((sum, piece) => sum + piece.length, 0) : body.length;
  return new Promise((resolve) => {
    const { socket, closed } = rawConnection(url);
    void closed.then((text) => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const [head = '', ...rest] = text.split('\r\n\r\n');
      let payload = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) payload = dechunk(payload);
      let json: RawResponse['json'];
      try {
        json = JSON.parse(payload) as RawResponse['json'];
      } catch {
        json = undefined;
      }
      resolve({ status, body: payload, json });
    });
    const head = [
      `POST ${pathname} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
      `Content-Length: ${length}`,
      'Connection: close',
      ...Object.entries({ 'x-graphql-yoga-csrf': '1', ...headers }).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    if (Array.isArray(body)) {
      for (const piece of body) socket.write(piece);
      return;
    }
    if (!trickle) {
      socket.write(body);
      return;
    }
    let offset = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || offset >= body.length) return clearInterval(timer);
      socket.write(body.subarray(offset, offset + trickle.pieceBytes));
      offset += trickle.pieceBytes;
    }, trickle.everyMs);
    socket.on('close', () => clearInterval(timer));
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol === -1) break;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) break;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
  return out;
}

/** A JPEG file part (the fixture's bytes). */
export const jpegPart = (name = '0', filename = 'cover.jpg'): RawPart => ({
  name,
  filename,
  bytes: images.jpg,
  contentType: 'image/jpeg',
});

/** A field part; a value that is not a string is sent as JSON. */
export const fieldPart = (name: string, value: unknown): RawPart => ({
  name,
  value: typeof value === 'string' ? value : JSON.stringify(value),
});
