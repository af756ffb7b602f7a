import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const ids = new WeakMap<IncomingMessage, string>();

/**
 * Gives the request an id for logs: the client's (or a proxy's) `x-request-id` when it is a sane
 * token, else a new UUID; echoed in the answer's `x-request-id`.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  ids.set(req, id);
  res.setHeader('x-request-id', id);
  return id;
}

export function requestIdOf(req: IncomingMessage | undefined): string | undefined {
  return req ? ids.get(req) : undefined;
}
