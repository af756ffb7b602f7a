import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A request body as the emulator read it. */
export interface ReadBody {
  /** Bytes received (counted past `keep` too, up to the cap). */
  size: number;
  /** The bytes kept: all of them while `size` ≤ `keep`, else none. */
  bytes: Buffer;
  /** SHA-1 of the kept bytes, lower-case hex, when asked for. */
  sha1?: string;
  /** More than `cap` bytes were sent (or declared); reading stopped. */
  overflow: boolean;
  /** The client went away before the body ended. */
  aborted: boolean;
}

/**
 * Reads a request body for either API: keeps at most `keep` bytes (hashing them as they arrive
 * with `sha1`), and stops at `cap` bytes, or at once when Content-Length already says more,
 * instead of reading on.
 */
export function readBody(
  req: IncomingMessage,
  { keep, cap, sha1 = false }: { keep: number; cap: number; sha1?: boolean },
): Promise<ReadBody> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > cap) {
    req.pause();
    return Promise.resolve({ size: 0, bytes: Buffer.alloc(0), overflow: true, aborted: false });
  }
  const chunks: Buffer[] = [];
  const hash: Hash | undefined = sha1 && keep > 0 ? createHash('sha1') : undefined;
  let size = 0;
  let overflow = false;
  let finished = false;
  return new Promise((resolve) => {
    // Once: 'end' is followed by 'close', and an overflow by both.
    const finish = (aborted: boolean): void => {
      if (finished) return;
      finished = true;
      req.off('data', onData);
      const kept = size <= keep && !overflow;
      resolve({
        size,
        bytes: kept ? Buffer.concat(chunks, size) : Buffer.alloc(0),
        ...(hash && kept ? { sha1: hash.digest('hex') } : {}),
        overflow,
        aborted,
      });
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= keep) {
        chunks.push(chunk);
        hash?.update(chunk);
      }
      if (size > cap) {
        overflow = true;
        req.pause();
        finish(false);
      }
    };
    req.on('data', onData);
    req.once('end', () => finish(false));
    req.once('close', () => finish(!req.complete && !overflow));
  });
}
