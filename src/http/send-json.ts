import type { ServerResponse } from 'node:http';
import { bodyStillArriving, stopReadingAndHangUp } from './hang-up.js';

/**
 * Writes a whole JSON answer (nothing, when an answer already went out or the socket is gone). A
 * request whose body has not all arrived is not read further: the connection closes after it.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  if (bodyStillArriving(res.req)) stopReadingAndHangUp(res.req, res);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
