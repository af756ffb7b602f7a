import { COVER_SCAN_DEFAULTS, type CoverMetadata } from '../image/cover-scan.js';
import { IDEMPOTENCY_KEY_TTL_MS } from '../ledger/cover-store.js';
import { startDeadline } from '../time/deadline.js';
import { MAX_FILE_SIZE, type CoverType } from '../vod/cover-rules.js';
import { createBufferPool } from './buffer-pool.js';
import { createCoverFitter, type CoverFitOptions } from './cover-fit.js';
import { coverToSend } from './cover-to-send.js';
import { splitFileName, type CoverFileName } from './file-name.js';
import {
  FIT_ONLY_EXTENSIONS,
  IMAGE_EXTENSIONS,
  REFUSED_WITH_ADVICE_EXTENSIONS,
  type ImageExtension,
} from './image-type.js';
import { createOutcomes, isOutcomeKey, type OutcomeKey, type OutcomeLimits, type Outcomes } from './outcomes.js';
import type { ReadUploadDone } from './read-upload.js';
import { CONCURRENCY_DEFAULTS, createCoverSender, type CoverSenderOptions } from './send-cover.js';
import type { UploadCoverResult } from './upload-result.js';
import type { UploadCoverInput, UploadRun, UploadSetup } from './upload-run.js';
import {
  admitSize,
  checkCaller,
  checkRequestEnd,
  checkTurnQueue,
  openPart,
  readFile,
  refuseUnread,
} from './upload-stages.js';

/** The defaults of the upload's own limits (the VOD side's are the sender's). */
export const UPLOAD_DEFAULTS = {
  maxFileSize: MAX_FILE_SIZE,
  uploadDeadlineMs: 60_000,
  fileExtensions: IMAGE_EXTENSIONS,
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
  uploadDeadlineMs?: number | undefined;
  /**
   * Largest cover accepted, in bytes.
   * @default 1048576
   */
  maxFileSize?: number | undefined;
  /**
   * Extensions accepted (API 3.0 takes only gif, jpeg and png); any other is UNSUPPORTED_FILE_TYPE
   * before VOD is called.
   * @default ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp']
   */
  fileExtensions?: readonly CoverType[] | undefined;
  /**
   * Fit photos that are too large, too big or of another type into a cover VOD takes (sharp,
   * which must then be installed): `true` or the fitting's options; `false` sends files as they
   * are, within `maxFileSize`.
   * @default false
   */
  fit?: boolean | CoverFitOptions | undefined;
  /**
   * `strip`: only what decoding needs is kept as the bytes arrive (EXIF with GPS, XMP, IPTC,
   * comments, thumbnails and whatever decoders skip are removed; the ICC profile, cut to its
   * declared size, and the orientation kept), pixels untouched; `keep`: VOD gets the bytes as received.
   * @default 'strip'
   */
  coverMetadata?: CoverMetadata | undefined;
  /**
   * Most pixels (width × height) a cover, any of its frames, or any page of a TIFF or HEIF may
   * declare, checked from its header in every mode.
   * @default 40000000
   */
  maxPixels?: number | undefined;
}

export type { UploadCoverInput } from './upload-run.js';

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
    uploadDeadlineMs = UPLOAD_DEFAULTS.uploadDeadlineMs,
    fileExtensions = UPLOAD_DEFAULTS.fileExtensions,
    coverMetadata = UPLOAD_DEFAULTS.coverMetadata,
    maxPixels = UPLOAD_DEFAULTS.maxPixels,
  } = options;
  const fitter = options.fit ? createCoverFitter(options.fit === true ? {} : options.fit) : undefined;
  // Fitting takes every type it can convert, up to its own size bound; a HEIC photo's name is
  // taken too, only to be told what to send instead.
  const acceptedExtensions: readonly ImageExtension[] = fitter
    ? [...IMAGE_EXTENSIONS, ...FIT_ONLY_EXTENSIONS]
    : fileExtensions;
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
  const setup: UploadSetup = {
    maxFileSize,
    maxInputSize,
    fileExtensions,
    namedExtensions: fitter ? [...acceptedExtensions, ...REFUSED_WITH_ADVICE_EXTENSIONS] : acceptedExtensions,
    coverMetadata,
    maxPixels,
    uploadDeadlineMs,
    fitter,
    sender: createCoverSender({ ...options, outcomes }),
    budget: options.budget,
    buffers: createBufferPool({ maxBufferSize: maxFileSize }),
    outcomes,
    events: options.events ?? {},
  };
  return { upload: (input) => upload(setup, input), outcomes, close: () => fitter?.close() };
}

/** One upload, from its start to its log line: the stages, then the one answer. */
async function upload(setup: UploadSetup, input: UploadCoverInput): Promise<UploadCoverResult> {
  setup.events.uploadStarted?.();
  const started = performance.now();
  // The file must arrive within the deadline; its timer goes as soon as the upload settles.
  const deadline = startDeadline(setup.uploadDeadlineMs, 'upload deadline');
  const run: UploadRun = { input, deadline: deadline.signal, facts: { bytesRead: 0 } };
  let answer: UploadCoverResult | OutcomeKey;
  try {
    answer = await uploadOnce(setup, run);
  } finally {
    deadline.clear();
    run.releaseHeld?.();
  }
  // Where a failure a stage named becomes the error member: the only place.
  const result = isOutcomeKey(answer) ? setup.outcomes.fail(answer) : answer;
  const { requestId, videoFileId } = input;
  const durationMs = performance.now() - started;
  setup.events.uploadDone?.({ requestId, videoFileId, result, ...run.facts, durationMs });
  return result;
}

/** The stages in their order; the first failure ends the upload. */
async function uploadOnce(setup: UploadSetup, run: UploadRun): Promise<UploadCoverResult | OutcomeKey> {
  const refused = (await checkCaller(run)) ?? checkTurnQueue(setup);
  if (refused) return refuseUnread(run, refused);
  const opened = await openPart(run);
  if (isOutcomeKey(opened)) return opened;
  const name = splitFileName(opened.filename, setup.namedExtensions);
  if (!name.ok) return refuseUnread(run, name, opened);
  const tooLarge = admitSize(setup, run, opened);
  if (tooLarge) return refuseUnread(run, tooLarge, opened);
  const read = await readFile(setup, run, opened, name.fileType);
  if (isOutcomeKey(read)) return read;
  try {
    return await sendRead(setup, run, read, name);
  } finally {
    // The VOD call has settled (undici no longer writes the bytes), or never started.
    read.release();
  }
}

/** The file read whole: the cover made of it, sent once the request has ended well. */
async function sendRead(
  setup: UploadSetup,
  run: UploadRun,
  read: ReadUploadDone,
  name: CoverFileName,
): Promise<UploadCoverResult | OutcomeKey> {
  const cover = await coverToSend(setup, read, name.fileType, run.input.signal);
  if (isOutcomeKey(cover)) return cover;
  if (cover.transformed) {
    // A fitted cover is a copy: the file read and its place among the held inputs go now.
    read.release();
    run.releaseHeld?.();
  }
  Object.assign(run.facts, { size: cover.size, sha1: cover.sha1 });
  const ended = await checkRequestEnd(run);
  if (ended) return ended;
  const { videoFileId, requestId, idempotencyKey } = run.input;
  return setup.sender.send(
    { videoFileId, fileName: name.fileName, ...cover, ...(requestId === undefined ? {} : { requestId }) },
    idempotencyKey,
    run.facts,
  );
}
