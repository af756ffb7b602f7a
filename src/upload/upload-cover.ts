import type { UploadRefusal } from '../auth/upload-policy.js';
import { inSpan } from './spans.js';
import type { UploadRequest } from '../multipart/upload-request.js';
import { IDEMPOTENCY_KEY_TTL_MS } from '../ledger/cover-store.js';
import { MAX_FILE_SIZE, isValidVideoFileId } from '../vod/cover-rules.js';
import { startDeadline } from '../time/deadline.js';
import { COVER_SCAN_DEFAULTS, type CoverMetadata, type ScannedImage } from '../image/cover-scan.js';
import { turnsQuarter } from '../image/exif-orientation.js';
import { createHash } from 'node:crypto';
import { createCoverFitter, type CoverFitOptions, type CoverFitter } from './cover-fit.js';
import type { CoverType } from '../vod/cover-rules.js';
import { createBufferPool } from './buffer-pool.js';
import { splitFileName } from './file-name.js';
import {
  FIT_ONLY_EXTENSIONS,
  IMAGE_EXTENSIONS,
  kindOfExtension,
  REFUSED_WITH_ADVICE_EXTENSIONS,
  type ImageExtension,
} from './image-type.js';
import { createOutcomes, type OutcomeLimits, type Outcomes, type UploadCoverError } from './outcomes.js';
import { readUpload, type ReadUploadDone } from './read-upload.js';
import { CONCURRENCY_DEFAULTS, createCoverSender, type CheckedCover, type CoverSenderOptions } from './send-cover.js';
import type { UploadCoverResult } from './upload-result.js';
import { multipartOverhead } from '../multipart/multipart-limits.js';
import { discardUpload, openUpload, type OpenedUpload, type UploadValue } from '../multipart/upload-value.js';

/** The defaults of the upload's own limits (the VOD side's are the sender's). */
export const UPLOAD_DEFAULTS = {
  maxFileSize: MAX_FILE_SIZE,
  uploadDeadlineMs: 60_000,
  fileExtensions: IMAGE_EXTENSIONS,
  /** Two 100,000-byte fields (`operations`, `map`) and 64 KiB of part headers and boundaries. */
  maxRequestOverhead: multipartOverhead(),
  coverMetadata: COVER_SCAN_DEFAULTS.coverMetadata,
  maxPixels: COVER_SCAN_DEFAULTS.maxPixels,
} as const;

/** The limits the outcome vocabulary is built from when nothing is configured (`schema.graphql`'s). */
export const DEFAULT_LIMITS: OutcomeLimits = {
  maxFileSize: UPLOAD_DEFAULTS.maxFileSize,
  fileExtensions: UPLOAD_DEFAULTS.fileExtensions,
  uploadDeadlineMs: UPLOAD_DEFAULTS.uploadDeadlineMs,
  maxConcurrentVodCalls: CONCURRENCY_DEFAULTS.maxConcurrentVodCalls,
  idempotencyKeyTtlMs: IDEMPOTENCY_KEY_TTL_MS,
  maxInputFileSize: UPLOAD_DEFAULTS.maxFileSize,
  maxPixels: UPLOAD_DEFAULTS.maxPixels,
  coverMetadata: UPLOAD_DEFAULTS.coverMetadata,
};

/** Options of {@link createCoverUploader}; the VOD side's are those of `createCoverSender`. */
export interface CoverUploaderOptions extends Omit<CoverSenderOptions, 'outcomes'> {
  /**
   * Longest time from the start of an upload to its last byte, in ms: a client still sending
   * then is cut off (UPLOAD_ABORTED, canRetry) and its connection closed.
   * @default 60000
   */
  uploadDeadlineMs?: number;
  /**
   * Largest cover accepted, in bytes.
   * @default 1048576
   */
  maxFileSize?: number;
  /**
   * Most bytes of a multipart request that are not the file (the `operations` and `map` fields,
   * part headers, boundaries). A request longer than `maxFileSize` plus this cannot hold a valid
   * cover and is refused before its file is read.
   * @default 265536 (two 100,000-byte fields and 64 KiB)
   */
  maxRequestOverhead?: number;
  /**
   * Extensions accepted (API 3.0 takes only gif, jpeg and png); any other is UNSUPPORTED_FILE_TYPE
   * before VOD is called.
   * @default ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp']
   */
  fileExtensions?: readonly CoverType[];
  /**
   * Fit photos that are too large, too big or of another type into a cover VOD takes (sharp,
   * which must then be installed): `true` or the fitting's options; `false` sends files as they
   * are, within `maxFileSize`.
   * @default false
   */
  fit?: boolean | CoverFitOptions;
  /**
   * `strip`: only what decoding needs is kept as the bytes arrive (EXIF with GPS, XMP, IPTC,
   * comments, thumbnails and whatever decoders skip are removed; the ICC profile, cut to its
   * declared size, and the orientation kept), pixels untouched; `keep`: VOD gets the bytes as received.
   * @default 'strip'
   */
  coverMetadata?: CoverMetadata;
  /**
   * Most pixels (width × height) a cover, any of its frames, or any page of a TIFF or HEIF may
   * declare, checked from its header in every mode.
   * @default 40000000
   */
  maxPixels?: number;
}

/** What one `uploadVideoCover` call gives the uploader. */
export interface UploadCoverInput {
  /** The HTTP request's id, for logs. */
  requestId?: string;
  videoFileId: string;
  file: UploadValue;
  /**
   * The HTTP request it arrives in, when the transport streams it: its declared size, a way to stop
   * reading it when the file is refused before its end (so the rest of a huge or unwanted body is
   * never read), and whether the whole body was accepted.
   */
  request?: UploadRequest;
  /** Decides, before the file is read, whether this caller may change this video's cover. */
  authorize?: (videoFileId: string) => Promise<UploadRefusal | undefined>;
  /** The request's Idempotency-Key: a retry of an answered upload gets that answer again. */
  idempotencyKey?: string;
  /**
   * Aborts when the client has gone (its connection closed before the answer): work queued or
   * running for the upload stops, and nothing is sent to VOD that has not been already.
   */
  signal?: AbortSignal;
}

export interface CoverUploader {
  /** Validates, reads and sends one cover; every expected failure is the error member. */
  upload(input: UploadCoverInput): Promise<UploadCoverResult>;
  /** Its outcome vocabulary, with the limits it applies (`uploadLimits`, the schema's descriptions). */
  readonly outcomes: Outcomes;
  /** Ends what it started (the fit processes). */
  close(): void;
}

/**
 * The data path of `uploadVideoCover`: fileId → the part's name → its bytes (streamed, hashed,
 * checked) → VOD → result union. Nothing reaches VOD unless every check passed.
 */
export function createCoverUploader(options: CoverUploaderOptions): CoverUploader {
  const {
    maxFileSize = UPLOAD_DEFAULTS.maxFileSize,
    maxRequestOverhead = UPLOAD_DEFAULTS.maxRequestOverhead,
    uploadDeadlineMs = UPLOAD_DEFAULTS.uploadDeadlineMs,
    fileExtensions = UPLOAD_DEFAULTS.fileExtensions,
    coverMetadata = UPLOAD_DEFAULTS.coverMetadata,
    maxPixels = UPLOAD_DEFAULTS.maxPixels,
  } = options;
  const events = options.events ?? {};
  const fitter: CoverFitter | undefined = options.fit
    ? createCoverFitter(options.fit === true ? {} : options.fit)
    : undefined;
  // Fitting takes every type it can convert, up to its own size bound; a HEIC photo's name is
  // taken too, only to be told what to send instead.
  const acceptedExtensions: readonly ImageExtension[] = fitter
    ? [...IMAGE_EXTENSIONS, ...FIT_ONLY_EXTENSIONS]
    : fileExtensions;
  const namedExtensions = fitter ? [...acceptedExtensions, ...REFUSED_WITH_ADVICE_EXTENSIONS] : acceptedExtensions;
  const maxInputSize = fitter ? Math.max(fitter.maxInputFileSize, maxFileSize) : maxFileSize;
  const outcomes = createOutcomes({
    maxFileSize,
    maxInputFileSize: maxInputSize,
    fileExtensions: acceptedExtensions,
    uploadDeadlineMs,
    maxConcurrentVodCalls: options.maxConcurrentVodCalls ?? CONCURRENCY_DEFAULTS.maxConcurrentVodCalls,
    idempotencyKeyTtlMs: options.ledger?.idempotencyKeyTtlMs ?? IDEMPOTENCY_KEY_TTL_MS,
    maxPixels,
    coverMetadata,
    ...(fitter ? { fitMaxDimension: fitter.maxDimension } : {}),
  });
  const sender = createCoverSender({ ...options, outcomes });
  const fail = outcomes.error;
  // Files are read into reused buffers (see buffer-pool.ts).
  const buffers = createBufferPool({ maxBufferSize: maxFileSize });

  async function upload(input: UploadCoverInput): Promise<UploadCoverResult> {
    events.uploadStarted?.();
    const started = performance.now();
    const facts: Facts = { bytesRead: 0 };
    // The file must arrive within the deadline; its timer goes as soon as the upload settles.
    const deadline = startDeadline(uploadDeadlineMs, 'upload deadline');
    const held: HeldInput = {};
    let result: UploadCoverResult;
    try {
      result = await uploadOnce(input, facts, deadline.signal, held);
    } finally {
      deadline.clear();
      held.release?.();
    }
    events.uploadDone?.({
      requestId: input.requestId,
      videoFileId: input.videoFileId,
      result,
      ...facts,
      durationMs: performance.now() - started,
    });
    return result;
  }

  async function uploadOnce(
    { videoFileId, file, request, authorize, idempotencyKey, requestId, signal }: UploadCoverInput,
    facts: Facts,
    deadline: AbortSignal,
    held: HeldInput,
  ): Promise<UploadCoverResult> {
    const stopReadingRequest = (): void => request?.stopReading();
    const requestSize = request?.declaredSize;
    if (!isValidVideoFileId(videoFileId)) {
      stopReadingRequest();
      return fail('INVALID_FILE_ID', 'rule');
    }
    const refusal = await authorize?.(videoFileId);
    if (refusal) {
      stopReadingRequest();
      return forbidden(refusal);
    }
    let opened: OpenedUpload;
    try {
      opened = await untilAborted(openUpload(file), deadline, request?.stopped);
    } catch (error) {
      if (deadline.aborted) {
        stopReadingRequest();
        return fail('UPLOAD_ABORTED', 'file-deadline');
      }
      if (request?.stopped.aborted) return fail('UPLOAD_ABORTED', 'not-read-further');
      return partMissing(error);
    }
    const name = splitFileName(opened.filename, namedExtensions);
    if (!name.ok) {
      stopReadingRequest();
      discardUpload(opened);
      return name.reason === 'INVALID_FILE_NAME'
        ? fail('INVALID_FILE_NAME', 'rule', { problem: name.problem })
        : fail('UNSUPPORTED_FILE_TYPE', 'extension', { extension: name.extension });
    }
    // Known before reading: a File's size, or at least what a request's length leaves for the file.
    const smallestPossible = opened.size ?? (requestSize === undefined ? 0 : requestSize - maxRequestOverhead);
    if (smallestPossible > maxInputSize) {
      stopReadingRequest();
      discardUpload(opened);
      return fail('FILE_TOO_LARGE', 'size');
    }
    // Fitting: a file that may be larger than a cover is counted against the inputs held at once
    // before it is read (at its largest possible size), and refused while they are too many.
    const largestPossible = opened.size ?? requestSize ?? maxInputSize;
    if (fitter && largestPossible > maxFileSize) {
      held.release = fitter.admit(largestPossible);
      if (!held.release) {
        stopReadingRequest();
        discardUpload(opened);
        return fail('FIT_UNAVAILABLE', 'held');
      }
    }
    const expectedKind = kindOfExtension(name.fileType);
    const read = await inSpan('cover.read', { 'vod_cover.video_file_id': videoFileId }, async (span) => {
      const result = await readUpload(opened.stream, {
        expectedKind,
        maxBytes: maxInputSize,
        sizeHint: opened.size ?? requestSize,
        signal: deadline,
        buffers,
        metadata: coverMetadata,
        maxPixels,
      });
      span.setAttribute('vod_cover.bytes_read', result.ok ? result.bytesReceived : result.bytesRead);
      return result;
    });
    facts.bytesRead = read.ok ? read.bytesReceived : read.bytesRead;
    if (!read.ok) {
      if (read.reason !== 'EMPTY_FILE') stopReadingRequest();
      switch (read.reason) {
        case 'FILE_TOO_LARGE':
          return fail('FILE_TOO_LARGE', 'size');
        case 'EMPTY_FILE':
          return fail('EMPTY_FILE', 'empty');
        case 'CONTENT_MISMATCH':
          return fail('CONTENT_MISMATCH', 'bytes', {
            extension: name.fileType,
            expectedKind,
            ...(read.detectedKind ? { detectedKind: read.detectedKind } : {}),
          });
        case 'UPLOAD_ABORTED':
          return fail('UPLOAD_ABORTED', 'cut-short');
        case 'DEADLINE':
          return fail('UPLOAD_ABORTED', 'file-deadline');
        case 'TOO_MANY_PIXELS':
          return fail('TOO_MANY_PIXELS', 'header', read.declared ? { declared: read.declared } : {});
        case 'IMAGE_UNREADABLE':
          return fail('IMAGE_UNREADABLE', 'structure', read.detail ? { detail: read.detail } : {});
      }
    }
    let cover: Omit<CheckedCover, 'videoFileId' | 'fileName'>;
    try {
      const fitted = await fitIfNeeded(read, name.fileType, signal);
      if (!fitted.ok) {
        read.release();
        return fitted;
      }
      cover = fitted;
    } catch (error) {
      read.release();
      throw error;
    }
    if (cover.transformed) {
      read.release();
      held.release?.();
    }
    facts.size = cover.size;
    facts.sha1 = cover.sha1;
    try {
      // A part after the file may still make the request unacceptable (an undeclared extra file).
      if (request && !(await untilAborted(request.bodyAccepted, deadline).catch(() => false))) {
        return fail('UPLOAD_ABORTED', deadline.aborted ? 'request-deadline' : 'refused-after-part');
      }
      if (signal?.aborted) return fail('UPLOAD_ABORTED', 'client-gone');
      return await sender.send(
        { videoFileId, fileName: name.fileName, ...cover, ...(requestId === undefined ? {} : { requestId }) },
        idempotencyKey,
      );
    } finally {
      // The VOD call has settled (undici no longer writes the bytes), or never started.
      read.release();
    }
  }

  /**
   * The cover to send: the file as read (metadata stripped) when it already is one VOD takes here,
   * else, with fitting on, the file re-encoded to fit; without fitting, a file can only be too large
   * by being cut off while read, so it always is one.
   */
  async function fitIfNeeded(
    read: ReadUploadDone,
    extension: ImageExtension,
    signal: AbortSignal | undefined,
  ): Promise<(Omit<CheckedCover, 'videoFileId' | 'fileName'> & { ok: true }) | UploadCoverError> {
    const asRead = { ok: true as const, fileType: extension, bytes: read.bytes, sha1: read.sha1, size: read.size };
    const shown = read.image && shownSize(read.image);
    const accepted = (fileExtensions as readonly string[]).includes(extension);
    const fits =
      shown &&
      accepted &&
      read.size <= maxFileSize &&
      Math.max(shown.width, shown.height) <= (fitter?.maxDimension ?? Infinity);
    if (fits) return { ...asRead, ...shown, transformed: false };
    if (!fitter) return fail('UNSUPPORTED_FILE_TYPE', 'extension', { extension });
    if (extension === 'bmp') return fail('UNSUPPORTED_IMAGE_FORMAT', 'not-convertible', { format: 'BMP' });
    const result = await fitter.fit(read.bytes, { maxFileSize, types: fileExtensions, maxPixels }, signal);
    if (result.ok) {
      const { bytes, fileType, width, height } = result;
      const sha1 = createHash('sha1').update(bytes).digest('hex');
      return { ok: true, fileType, bytes, sha1, size: bytes.length, width, height, transformed: true };
    }
    switch (result.reason) {
      case 'TOO_MANY_PIXELS':
        return fail('TOO_MANY_PIXELS', 'header', { declared: { width: result.width, height: result.height } });
      case 'HEIC':
        return fail('UNSUPPORTED_IMAGE_FORMAT', 'heic');
      case 'UNDECODABLE':
        return fail('IMAGE_UNREADABLE', 'decode', { detail: result.detail });
      case 'CANNOT_FIT':
        return fail('COVER_CANNOT_FIT', 'size');
      case 'BUSY':
        return fail('FIT_UNAVAILABLE', 'busy');
      case 'UNAVAILABLE':
        return fail('FIT_UNAVAILABLE', 'unavailable');
      case 'DEADLINE':
        return fail('FIT_UNAVAILABLE', 'deadline');
      case 'CRASHED':
        return fail('IMAGE_UNREADABLE', 'decoder-crashed');
      case 'ABORTED':
        return fail('UPLOAD_ABORTED', 'client-gone');
    }
  }

  /**
   * Why the file part never came. graphql-upload-minimal rejects with status 400 when the request
   * names a part it does not hold, 499 when the client went away; busboy's own errors say
   * "Unexpected end of form" for a body cut short, anything else for one it cannot read. Only a
   * request cut short is worth sending again.
   */
  function partMissing(error: unknown): UploadCoverError {
    const { status, message = '' } = error as { status?: unknown; message?: string };
    if (status === 499 || /unexpected end/i.test(message)) return fail('UPLOAD_ABORTED', 'ended-before-part');
    if (status === 400) return fail('UPLOAD_ABORTED', 'no-file-part');
    return fail('UPLOAD_ABORTED', 'unreadable', message ? { detail: message } : {});
  }

  function forbidden(refusal: UploadRefusal): UploadCoverError {
    if (refusal.why === 'scope') return fail('FORBIDDEN', 'scope', { scope: refusal.scope });
    if (refusal.why === 'rule') return fail('FORBIDDEN', 'rule', { videoFileId: refusal.videoFileId });
    return fail('FORBIDDEN', 'rule-failed');
  }

  return { upload, outcomes, close: () => fitter?.close() };
}

interface Facts {
  bytesRead: number;
  size?: number;
  sha1?: string;
}

/** The input's place in fitting's held bytes (see CoverFitter.admit), while it has one. */
interface HeldInput {
  release?: (() => void) | undefined;
}

/** The size a viewer shows the cover at: turned by its EXIF orientation. */
function shownSize({ width, height, orientation }: ScannedImage): { width: number; height: number } {
  return turnsQuarter(orientation) ? { width: height, height: width } : { width, height };
}

/** `promise`, or a rejection as soon as any of the signals aborts. */
function untilAborted<T>(promise: Promise<T>, ...signals: (AbortSignal | undefined)[]): Promise<T> {
  const aborted = signals.find((signal) => signal?.aborted);
  if (aborted) return Promise.reject(aborted.reason);
  return new Promise((resolve, reject) => {
    const onAbort = function (this: AbortSignal) {
      reject(this.reason);
    };
    for (const signal of signals) signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      for (const signal of signals) signal?.removeEventListener('abort', onAbort);
    });
  });
}
