import { describe, expect, it } from 'vitest';
import { createBufferPool } from '../../src/upload/buffer-pool.js';

const MiB = 1024 * 1024;

describe('the buffer pool files are read into', () => {
  it('hands a buffer given back to the next request of the same size class', () => {
    const pool = createBufferPool({ maxBufferSize: MiB });
    const first = pool.acquire(900 * 1024);
    expect(first.length).toBe(MiB);
    pool.release(first);
    expect(pool.acquire(700 * 1024) === first).toBe(true);
    expect(pool.acquire(700 * 1024) === first).toBe(false);
  });

  it.each([
    [40_000, 65_536],
    [65_536, 65_536],
    [66_000, 131_072],
    [1_000_000, MiB],
  ])('gives %i bytes a buffer of %i (a power of two up to the largest)', (size, capacity) => {
    expect(createBufferPool({ maxBufferSize: MiB }).acquire(size).length).toBe(capacity);
  });

  it('does not pool a buffer under the smallest pooled size, nor one over the largest', () => {
    const pool = createBufferPool({ maxBufferSize: MiB, minPooledSize: 32 * 1024 });
    const small = pool.acquire(1000);
    expect(small.length).toBe(1000);
    pool.release(small);
    expect(pool.acquire(1000) === small).toBe(false);
    const large = pool.acquire(2 * MiB);
    expect(large.length).toBe(2 * MiB);
    pool.release(large);
    expect(pool.acquire(2 * MiB) === large).toBe(false);
  });

  it('keeps at most maxIdleBytes idle, and a buffer given back twice only once', () => {
    const pool = createBufferPool({ maxBufferSize: MiB, maxIdleBytes: 2 * MiB });
    const [a, b, c] = [pool.acquire(MiB), pool.acquire(MiB), pool.acquire(MiB)];
    pool.release(a);
    pool.release(a);
    pool.release(b);
    pool.release(c);
    const again = [pool.acquire(MiB), pool.acquire(MiB), pool.acquire(MiB)];
    // b came back last, so it goes out first; c found the pool full.
    expect(again.map((buffer) => [a, b, c].indexOf(buffer))).toEqual([1, 0, -1]);
  });
});
