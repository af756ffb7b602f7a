import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type sharpModule from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { ConcurrencyGate } from './concurrency-gate.js';
import type { CoverType } from '../vod/cover-rules.js';

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
   * Longest one transform may take, in ms; past it the upload is FIT_UNAVAILABLE (canRetry).
   * @default 15000
   */
  deadlineMs?: number;
}

export const COVER_FIT_DEFAULTS = {
  maxInputFileSize: 25 * 1024 * 1024,
  maxDimension: 1920,
  queueTimeoutMs: 10_000,
  deadlineMs: 15_000,
} as const;

/** What a cover must be to go to VOD, and the pixel bound of the input. */
export interface FitTarget {
  maxFileSize: number;
  /** The types the API in use takes. */
  types: readonly CoverType[];
  maxPixels: number;
}

export type FitResult =
  | { ok: true; bytes: Buffer; fileType: 'jpg' | 'png'; width: number; height: number; quality?: number }
  | { ok: false; reason: 'TOO_MANY_PIXELS'; width: number; height: number }
  | { ok: false; reason: 'HEIC' | 'UNDECODABLE'; detail: string }
  | { ok: false; reason: 'CANNOT_FIT' | 'BUSY' | 'DEADLINE' };

export interface CoverFitter {
  readonly maxInputFileSize: number;
  readonly maxDimension: number;
  /** Re-encodes `input` (orientation applied, metadata gone) into a cover that meets `target`. */
  fit(input: Buffer, target: FitTarget): Promise<FitResult>;
}

/** JPEG qualities tried, best first: the highest that fits wins. */
const QUALITIES = [92, 85, 78, 70, 60, 50, 40] as const;
/** Each further try shrinks the longest side by this much, at most this many times. */
const SHRINK = 0.75;
const SHRINKS = 4;

/**
 * Fits any photo into a cover VOD takes, with sharp (libvips): prebuilt for Linux, macOS and
 * Windows in the registry, streaming decoders with shrink-on-load for JPEG, and a pixel limit
 * checked from the header. sharp is an optional peer: only fitting needs it.
 */
export function createCoverFitter(options: CoverFitOptions = {}): CoverFitter {
  const {
    maxInputFileSize = COVER_FIT_DEFAULTS.maxInputFileSize,
    maxDimension = COVER_FIT_DEFAULTS.maxDimension,
    concurrency = availableParallelism(),
    queueTimeoutMs = COVER_FIT_DEFAULTS.queueTimeoutMs,
    deadlineMs = COVER_FIT_DEFAULTS.deadlineMs,
  } = options;
  const sharp = loadSharp();
  const gate = new ConcurrencyGate(concurrency, queueTimeoutMs);
  const timeout = { seconds: Math.max(1, Math.ceil(deadlineMs / 1000)) };

  async function transform(input: Buffer, target: FitTarget): Promise<FitResult> {
    const deadlineAt = Date.now() + deadlineMs;
    const source = () => sharp(input, { limitInputPixels: target.maxPixels, failOn: 'error' }).timeout(timeout);
    let meta: Metadata;
    const heic = isHeic(input);
    try {
      meta = await source().metadata();
    } catch (error) {
      return undecodable(error, heic);
    }
    if (meta.format === 'heif' && meta.compression !== 'av1')
      return { ok: false, reason: 'HEIC', detail: 'HEVC-coded HEIF' };
    if (meta.width * meta.height > target.maxPixels)
      return { ok: false, reason: 'TOO_MANY_PIXELS', width: meta.width, height: meta.height };
    const alpha = meta.hasAlpha && target.types.includes('png');
    let side = Math.min(maxDimension, Math.max(meta.autoOrient.width, meta.autoOrient.height));
    for (let shrink = 0; shrink <= SHRINKS; shrink++, side = Math.floor(side * SHRINK)) {
      let pixels: { data: Buffer; info: OutputInfo };
      try {
        pixels = await source()
          .autoOrient()
          .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
          .flatten(alpha ? false : { background: '#ffffff' })
          .raw()
          .toBuffer({ resolveWithObject: true });
      } catch (error) {
        return undecodable(error, heic);
      }
      const { width, height, channels } = pixels.info;
      const raw = () => sharp(pixels.data, { raw: { width, height, channels } }).timeout(timeout);
      if (alpha) {
        const png = await raw().png({ compressionLevel: 9 }).toBuffer();
        if (png.length <= target.maxFileSize) return { ok: true, bytes: png, fileType: 'png', width, height };
        if (Date.now() > deadlineAt) return { ok: false, reason: 'DEADLINE' };
        continue;
      }
      for (const quality of QUALITIES) {
        if (Date.now() > deadlineAt) return { ok: false, reason: 'DEADLINE' };
        const jpeg = await raw().jpeg({ quality, mozjpeg: false }).toBuffer();
        if (jpeg.length <= target.maxFileSize)
          return { ok: true, bytes: jpeg, fileType: 'jpg', width, height, quality };
      }
    }
    return { ok: false, reason: 'CANNOT_FIT' };
  }

  return {
    maxInputFileSize,
    maxDimension,
    async fit(input, target) {
      if (!(await gate.enter())) return { ok: false, reason: 'BUSY' };
      try {
        return await transform(input, target);
      } finally {
        gate.leave();
      }
    },
  };
}

/** A decoding failure: out of time, a HEIC this build cannot decode, or an image that cannot be read. */
function undecodable(error: unknown, heic: boolean): FitResult {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  if (/timeout/i.test(message)) return { ok: false, reason: 'DEADLINE' };
  if (heic) return { ok: false, reason: 'HEIC', detail: message };
  return { ok: false, reason: 'UNDECODABLE', detail: message };
}

/** Whether the bytes are an ISO-BMFF HEIF of HEVC brands (what phones save), not AVIF. */
function isHeic(input: Buffer): boolean {
  return input.toString('latin1', 4, 8) === 'ftyp' && !/^avi[fs]$/.test(input.toString('latin1', 8, 12));
}

let loaded: typeof sharpModule | undefined;

/** sharp, loaded on first use: a gateway without fitting never needs it installed. */
function loadSharp(): typeof sharpModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('sharp') as typeof sharpModule;
  } catch (error) {
    throw new Error('Fitting covers (COVER_FIT=on, createGateway({ fit })) needs sharp: npm install sharp', {
      cause: error,
    });
  }
  // libvips' operation cache keeps decoded images between calls: memory no upload needs again.
  loaded.cache(false);
  return loaded;
}
