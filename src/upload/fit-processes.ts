import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FitProcessMessage, FitRequest } from './fit-process.js';
import type { FitTarget, TransformResult } from './fit-transform.js';

/** Why a run gave no transform result. */
export type RunStopped = 'DEADLINE' | 'ABORTED' | 'CRASHED' | 'UNAVAILABLE';

/** The fit processes: each runs one transform at a time and is ended when a run must stop. */
export interface FitProcesses {
  /**
   * Fits `input` in an idle process (one is started when none is idle: the caller bounds how many
   * run at once). Past `deadlineMs`, or once `signal` aborts, the process is killed (SIGKILL) and
   * the run ends with why; no CPU is spent on it after that.
   */
  run(
    input: Buffer,
    target: FitTarget,
    deadlineMs: number,
    signal?: AbortSignal,
  ): Promise<TransformResult | RunStopped>;
  /** Processes alive now (idle or running). */
  readonly alive: number;
  /** Kills every process. */
  close(): void;
}

/** Longest wait for a new process to load sharp and say it is ready. */
const START_TIMEOUT_MS = 30_000;
/**
 * The processes' scheduling priority (nice): transforms are batch work, the gateway's event loop
 * is not; under load, health checks and ordinary uploads go first.
 */
const NICENESS = 10;

/** The processes of one `FitProcesses`: the script they run, the idle ones and every live one. */
interface ProcessPool {
  readonly script: URL;
  readonly execArgv: string[];
  readonly idle: ChildProcess[];
  readonly all: Set<ChildProcess>;
}

/**
 * The fit processes (fit-process.ts), started on first use and kept while idle. The script is
 * the compiled one next to this file; run from the TypeScript sources (tests, tsx), it is loaded
 * through tsx, as the parent was.
 */
export function createFitProcesses(): FitProcesses {
  const script = new URL(`./fit-process${extensionOf(import.meta.url)}`, import.meta.url);
  const pool: ProcessPool = {
    script,
    execArgv: script.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
    idle: [],
    all: new Set(),
  };
  return {
    run: (input, target, deadlineMs, signal) => run(pool, { input, target }, deadlineMs, signal),
    get alive() {
      return pool.all.size;
    },
    close() {
      for (const child of pool.all) child.kill('SIGKILL');
    },
  };
}

async function run(
  pool: ProcessPool,
  request: FitRequest,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<TransformResult | RunStopped> {
  if (signal?.aborted) return 'ABORTED';
  const child = pool.idle.pop() ?? (await start(pool));
  if (!child) return 'UNAVAILABLE';
  // The caller may have gone while a process was being started: keep it for the next.
  if (signal?.aborted) {
    pool.idle.push(child);
    return 'ABORTED';
  }
  child.ref();
  child.channel?.ref();
  return runIn(pool, child, request, deadlineMs, signal);
}

/** Sends one transform to `child` and settles with its result, or with why it stopped. */
function runIn(
  pool: ProcessPool,
  child: ChildProcess,
  request: FitRequest,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<TransformResult | RunStopped> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => stop('DEADLINE'), deadlineMs);
    const onAbort = (): void => stop('ABORTED');
    const settle = (outcome: TransformResult | RunStopped): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(outcome);
    };
    const stop = (why: RunStopped): void => {
      child.kill('SIGKILL');
      settle(why);
    };
    const onMessage = (message: FitProcessMessage): void => {
      if (!('result' in message)) return;
      keepIdle(pool, child);
      settle(withBuffer(message.result));
    };
    const onExit = (): void => settle('CRASHED');
    child.on('message', onMessage);
    child.once('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.send(request);
  });
}

/** Starts a process; undefined when it did not say it is ready in time. */
function start(pool: ProcessPool): Promise<ChildProcess | undefined> {
  const child = fork(fileURLToPath(pool.script), [], {
    execArgv: pool.execArgv,
    serialization: 'advanced',
    // libvips' warnings would break the one log format; a transform's failure is its answer.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  pool.all.add(child);
  // A send to a process that has just died fails here; its exit settles the run.
  child.on('error', () => child.kill('SIGKILL'));
  child.once('exit', () => {
    pool.all.delete(child);
    const at = pool.idle.indexOf(child);
    if (at >= 0) pool.idle.splice(at, 1);
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), START_TIMEOUT_MS);
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (ready) {
        if (child.pid !== undefined) setPriority(child.pid, NICENESS);
        unrefIdle(child);
        resolve(child);
      } else {
        child.kill('SIGKILL');
        resolve(undefined);
      }
    };
    const onMessage = (message: FitProcessMessage): void => done('ready' in message && message.ready);
    const onExit = (): void => done(false);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Puts a process that finished its run back among the idle ones. */
function keepIdle(pool: ProcessPool, child: ChildProcess): void {
  unrefIdle(child);
  pool.idle.push(child);
}

/** Idle processes must not keep the gateway's event loop alive. */
function unrefIdle(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
}

/** The extension of the module at `url` (`.js` built, `.ts` from source). */
function extensionOf(url: string): string {
  return url.endsWith('.ts') ? '.ts' : '.js';
}

/** The cover's bytes arrive as a Uint8Array (structured clone): the upload path wants a Buffer. */
function withBuffer(result: TransformResult): TransformResult {
  if (!result.ok) return result;
  const bytes = result.bytes as Uint8Array;
  return { ...result, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
