/**
 * A closed-loop load generator: `concurrency` workers, each on its own keep-alive connection of an
 * undici Pool, sending the same prebuilt body again as soon as the previous answer is in.
 */
import { Pool } from 'undici';

export type Verdict = 'ok' | 'rejected' | 'error';

export interface LoadOptions {
  /**
   * What worker `i` sends, every time: built once per worker. (Workers send for different videos,
   * so the gateway's single-flight never merges two workers' uploads into one VOD call.)
   */
  requestOf(worker: number): { url: string; body: Buffer };
  headers: Record<string, string>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Classifies an answer. */
  judge(status: number, text: string): Verdict;
  /** Called once when warm-up ends and once when the window ends. */
  onWindow?(edge: 'start' | 'end'): void;
}

export interface LoadResult {
  /** Answers judged `ok` that completed inside the window. */
  ok: number;
  rejected: number;
  errors: number;
  /** One sample of what went wrong, if anything did. */
  firstError?: string;
  /** Latencies (ms) of requests completed inside the window. */
  latencies: number[];
  windowMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const requests = Array.from({ length: options.concurrency }, (_, i) => options.requestOf(i));
  const origin = new URL(requests[0]!.url).origin;
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1 });
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const end = windowStart + options.durationMs;
  const result: LoadResult = { ok: 0, rejected: 0, errors: 0, latencies: [], windowMs: options.durationMs };
  const fired = new Set<'start' | 'end'>();
  const edge = (which: 'start' | 'end') => {
    if (fired.has(which)) return;
    fired.add(which);
    options.onWindow?.(which);
  };
  const startTimer = setTimeout(() => edge('start'), options.warmupMs);
  const endTimer = setTimeout(() => edge('end'), options.warmupMs + options.durationMs);

  async function worker(index: number): Promise<void> {
    const { url: target, body } = requests[index]!;
    const url = new URL(target);
    while (performance.now() < end) {
      const t0 = performance.now();
      let verdict: Verdict;
      let detail = '';
      try {
        const res = await pool.request({
          path: url.pathname + url.search,
          method: 'POST',
          headers: options.headers,
          body,
        });
        const text = await res.body.text();
        verdict = options.judge(res.statusCode, text);
        if (verdict === 'error') detail = `${res.statusCode} ${text.slice(0, 300)}`;
      } catch (error) {
        verdict = 'error';
        detail = String((error as Error).message ?? error);
      }
      const t1 = performance.now();
      if (t1 < windowStart || t1 > end) continue;
      if (verdict === 'ok') {
        result.ok++;
        result.latencies.push(t1 - t0);
      } else if (verdict === 'rejected') {
        result.rejected++;
        result.latencies.push(t1 - t0);
      } else {
        result.errors++;
        result.firstError ??= detail;
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  // The last worker can finish a hair before the end timer fires.
  edge('start');
  edge('end');
  await pool.close();
  return result;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
