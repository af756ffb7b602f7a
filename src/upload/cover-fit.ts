import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { ByteBudget } from './byte-budget.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { createFitProcesses, type RunStopped } from './fit-processes.js';
import type { FitTarget, TransformResult } from './fit-transform.js';
import { outcomeKey, type OutcomeKey } from './outcomes.js';

export type { FitTarget } from './fit-transform.js';

/** Options of {@link createCoverFitter}: what a fitted cover may be, and the bounds of fitting. */
export interface CoverFitOptions {
  /**
   * Largest file taken to fit, in bytes (`maxFileSize` stays the bound of what VOD gets).
   * @default 26214400 (25 MiB)
   */
  maxInputFileSize?: number;
  /**
   * Longest side of a fitted cover, in pixels.
   * @default 1920
   */
  maxDimension?: number;
  /**
   * Transforms running at once; others wait for a place.
   * @default os.availableParallelism()
   */
  concurrency?: number;
  /**
   * Longest wait for a place, in ms; past it the upload is FIT_UNAVAILABLE (canRetry).
   * @default 10000
   */
  queueTimeoutMs?: number;
  /**
   * Longest one transform may take, in ms; past it its process is killed (no CPU is spent on it
   * afterwards) and the upload is FIT_UNAVAILABLE (canRetry). Below `queueTimeoutMs`, so that a
   * photo waiting behind inputs built to be slow still gets a place.
   * @default 8000
   */
  deadlineMs?: number;
  /**
   * Most bytes of inputs to fit that are read and held at once, waiting for a place or being sent
   * to one. An upload is counted at its largest possible size before its file is read (its
   * Content-Length, else `maxInputFileSize`); one that does not fit beside those held is
   * FIT_UNAVAILABLE (canRetry) at once, its body unread. At least `maxInputFileSize`.
   * @default 134217728 (128 MiB)
   */
  maxHeldBytes?: number;
}

export const COVER_FIT_DEFAULTS = {
  maxInputFileSize: 25 * 1024 * 1024,
  maxDimension: 1920,
  queueTimeoutMs: 10_000,
  deadlineMs: 8_000,
  maxHeldBytes: 128 * 1024 * 1024,
} as const;

/** The fitted cover, or the outcome its failure names. */
export type FitResult = Extract<TransformResult, { ok: true }> | OutcomeKey;

/**
 * What each way fitting fails tells the client: the transform's refusals, and no place within the
 * wait (BUSY), a process that could not start, ran out of time or died on this input, or the
 * caller's signal aborted (the client is gone: the work was dropped).
 */
const FIT_FAILURES: Record<Exclude<TransformResult, { ok: true }>['reason'] | RunStopped | 'BUSY', OutcomeKey> = {
  TOO_MANY_PIXELS: outcomeKey('TOO_MANY_PIXELS', 'header'),
  HEIC: outcomeKey('UNSUPPORTED_IMAGE_FORMAT', 'heic'),
  UNDECODABLE: outcomeKey('IMAGE_UNREADABLE', 'decode'),
  CANNOT_FIT: outcomeKey('COVER_CANNOT_FIT', 'size'),
  BUSY: outcomeKey('FIT_UNAVAILABLE', 'busy'),
  UNAVAILABLE: outcomeKey('FIT_UNAVAILABLE', 'unavailable'),
  DEADLINE: outcomeKey('FIT_UNAVAILABLE', 'deadline'),
  CRASHED: outcomeKey('IMAGE_UNREADABLE', 'decoder-crashed'),
  ABORTED: outcomeKey('UPLOAD_ABORTED', 'client-gone'),
};

export interface CoverFitter {
  readonly maxInputFileSize: number;
  readonly maxDimension: number;
  /**
   * Counts an input of at most `bytes` against `maxHeldBytes` before it is read: the way to give
   * them back (call once the input is no longer held), or undefined when they do not fit now.
   */
  admit(bytes: number): (() => void) | undefined;
  /**
   * Re-encodes `input` (orientation applied, metadata gone) into a cover that meets `target`, in a
   * fit process ended at the deadline or as soon as `signal` aborts, queued or running.
   */
  fit(input: Buffer, target: Omit<FitTarget, 'maxDimension'>, signal?: AbortSignal): Promise<FitResult>;
  /** Ends the fit processes. */
  close(): void;
}

/**
 * Fits any photo into a cover VOD takes, with sharp (libvips: prebuilt for Linux, macOS and Windows
 * in the registry, shrink-on-load for JPEG, a pixel limit checked from the header), in processes of
 * its own (fit-process.ts) so that a transform can be ended, CPU and all. sharp is an optional
 * peer: only fitting needs it.
 */
export function createCoverFitter(options: CoverFitOptions = {}): CoverFitter {
  const {
    maxInputFileSize = COVER_FIT_DEFAULTS.maxInputFileSize,
    maxDimension = COVER_FIT_DEFAULTS.maxDimension,
    concurrency = availableParallelism(),
    queueTimeoutMs = COVER_FIT_DEFAULTS.queueTimeoutMs,
    deadlineMs = COVER_FIT_DEFAULTS.deadlineMs,
    maxHeldBytes = Math.max(COVER_FIT_DEFAULTS.maxHeldBytes, maxInputFileSize),
  } = options;
  if (maxHeldBytes < maxInputFileSize)
    throw new RangeError(
      `fit: option "maxHeldBytes" (${maxHeldBytes}) must be at least maxInputFileSize (${maxInputFileSize})`,
    );
  requireSharp();
  const gate = new ConcurrencyGate(concurrency, queueTimeoutMs);
  const held = new ByteBudget(maxHeldBytes);
  const processes = createFitProcesses();

  return {
    maxInputFileSize,
    maxDimension,
    admit: (bytes) => held.take(Math.min(bytes, maxInputFileSize)),
    async fit(input, target, signal) {
      if (!(await gate.enter(signal))) return FIT_FAILURES[signal?.aborted ? 'ABORTED' : 'BUSY'];
      try {
        const result = await processes.run(input, { ...target, maxDimension }, deadlineMs, signal);
        if (typeof result === 'string') return FIT_FAILURES[result];
        return result.ok ? result : transformRefused(result);
      } finally {
        gate.leave();
      }
    },
    close: () => processes.close(),
  };
}

/** The outcome of a transform's refusal, with its facts (the size declared, what could not be decoded). */
function transformRefused(refused: Exclude<TransformResult, { ok: true }>): OutcomeKey {
  const declared =
    refused.reason === 'TOO_MANY_PIXELS' ? { declared: { width: refused.width, height: refused.height } } : {};
  return { ...FIT_FAILURES[refused.reason], ...('detail' in refused ? { detail: refused.detail } : {}), ...declared };
}

/** Fails at start, naming the package, where sharp is not installed: a gateway without fitting never needs it. */
function requireSharp(): void {
  try {
    createRequire(import.meta.url).resolve('sharp');
  } catch (error) {
    throw new Error('Fitting covers (COVER_FIT=on, createGateway({ fit })) needs sharp: npm install sharp', {
      cause: error,
    });
  }
}
