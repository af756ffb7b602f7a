import type { IncomingMessage, ServerResponse } from 'node:http';

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

let hangingUp = 0;

/**
 * Whether the request has a body that has not all arrived. A request without one (no length, or
 * 0, and not chunked) is not `complete` either while its handler first runs.
 */
export function bodyStillArriving(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Stops reading a request whose body we no longer want. The answer says `connection: close`, and
 * the connection is then closed in two steps (RFC 9112 §9.6): first our sending side (FIN), which
 * tells a client still sending the body that the answer is complete (undici, curl and browsers
 * then stop and read it); the socket itself `HANG_UP_MS` later. Node's own way, closing at once,
 * resets a connection whose client bytes are still arriving, and the client may lose the answer.
 */
export function stopReadingAndHangUp(req: IncomingMessage, res: ServerResponse): void {
  // A request already torn down (its body stream cancelled) has let go of its socket.
  if (req.complete || !req.socket || req.socket.destroyed) return;
  // A body nobody started reading would be read whole and discarded by Node once the answer is
  // out (its `_dump`); a read of nothing marks it as being consumed, so that never happens.
  req.read(0);
  req.unpipe();
  req.pause();
  // Pausing the request alone lets Node read on until its buffer fills; stop the socket itself.
  req.socket.pause();
  const socket = req.socket;
  const hangUp = (): void => {
    // Called as the answer finishes, just after Node's `_dump` resumed a request it thinks nobody
    // consumed (the read of nothing above does not mark it when Node's buffer was already full):
    // pause it again before that resume reads the rest of the body.
    req.pause();
    socket.end();
    if (hangingUp >= MAX_HANGING_UP) return void socket.destroy();
    hangingUp++;
    const timer = setTimeout(() => socket.destroy(), HANG_UP_MS);
    socket.once('close', () => {
      hangingUp--;
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
export function lingerAfterAnswer(req: IncomingMessage): void {
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
