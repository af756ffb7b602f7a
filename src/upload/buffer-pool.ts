/** Options of {@link createBufferPool}. */
export interface BufferPoolOptions {
  /** The largest buffer handed out from the pool: the largest file it must hold. */
  maxBufferSize: number;
  /**
   * Smaller requests get a buffer of their own, as without a pool.
   * @default 32768
   */
  minPooledSize?: number;
  /**
   * Most bytes kept in idle buffers for reuse; a buffer given back past this is left to the GC.
   * @default 16777216 (16 MiB)
   */
  maxIdleBytes?: number;
}

/** Buffers for whole files, taken while a file is read and sent, then given back. */
export interface BufferPool {
  /** A buffer of at least `size` bytes; its contents are whatever was there before. */
  acquire(size: number): Buffer;
  /** Gives a buffer from `acquire` back; it must not be used afterwards. */
  release(buffer: Buffer): void;
}

/**
 * Reuses the large buffers files are read into. A buffer per upload, allocated and dropped, is
 * memory outside V8's heap that V8 counts towards its next full collection: at 900 KiB uploads the
 * gateway ran twice as many full GCs as a server with a smaller heap, and each one marks the whole
 * schema and every module. Buffers come in power-of-two sizes (the last one `maxBufferSize`), so a
 * 64 KiB file does not pin a megabyte.
 */
export function createBufferPool(options: BufferPoolOptions): BufferPool {
  const { maxBufferSize, minPooledSize = 32 * 1024, maxIdleBytes = 16 * 1024 * 1024 } = options;
  const idle = new Map<number, Buffer[]>();
  let idleBytes = 0;
  const capacityFor = (size: number): number => Math.min(maxBufferSize, 2 ** Math.ceil(Math.log2(size)));

  return {
    acquire(size) {
      if (size < minPooledSize || size > maxBufferSize) return Buffer.allocUnsafe(size);
      const capacity = capacityFor(size);
      const reused = idle.get(capacity)?.pop();
      if (!reused) return Buffer.allocUnsafe(capacity);
      idleBytes -= capacity;
      return reused;
    },
    release(buffer) {
      const capacity = buffer.length;
      if (capacity < minPooledSize || capacity !== capacityFor(capacity) || idleBytes + capacity > maxIdleBytes) return;
      const shelf = idle.get(capacity) ?? [];
      if (shelf.includes(buffer)) return;
      shelf.push(buffer);
      idle.set(capacity, shelf);
      idleBytes += capacity;
    },
  };
}
