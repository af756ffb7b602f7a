/** Stand-in for upload/buffer-pool.ts: a new buffer for every file, left to the GC. */
import type { BufferPool } from '../../src/upload/buffer-pool.js';

export function createBufferPool(): BufferPool {
  return { acquire: (size) => Buffer.allocUnsafe(size), release: () => undefined };
}
