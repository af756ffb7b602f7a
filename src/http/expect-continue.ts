import type { IncomingMessage, ServerResponse } from 'node:http';

const awaiting = new WeakSet<IncomingMessage>();

/**
 * For node:http's 'checkContinue' event: a request whose client waits for `100 Continue` before
 * sending its body. Node would answer 100 at once; the gateway answers it only once the request
 * has passed the checks that need no body (CSRF header, declared length), so a refused client
 * sends nothing for nothing.
 */
export function markAwaitingContinue(req: IncomingMessage): void {
  awaiting.add(req);
}

/** Sends `100 Continue` if the client waits for it (once): the body is wanted. */
export function sendContinue(req: IncomingMessage, res: ServerResponse): void {
  if (!awaiting.delete(req)) return;
  res.writeContinue();
}
