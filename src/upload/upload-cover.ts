import { MAX_FILE_SIZE, isValidVideoFileId } from '../vod/protocol.js';
import { splitFileName } from './file-name.js';
import { IMAGE_EXTENSIONS, kindOfExtension, type ImageExtension } from './image-type.js';
import { createBufferPool } from './buffer-pool.js';
import { readUpload } from './read-upload.js';
import { createCoverSender, type CoverSenderOptions } from './send-cover.js';
import { GATEWAY_CODES, UPLOAD_ERROR_REASONS, localError, type UploadCoverResult } from './upload-result.js';
import type { UploadRefusal } from '../auth/upload-policy.js';
import type { UploadRequest } from '../http/upload-request.js';
import { discardUpload, openUpload, type OpenedUpload, type UploadValue } from './upload-value.js';

/** Options of {@link createCoverUploader}; the VOD side's are those of `createCoverSender`. */
export interface CoverUploaderOptions extends CoverSenderOptions {
  /**
   * Longest time from the start of an upload to its last byte, in ms: a client still sending
   * then is cut off (UPLOAD_ABORTED, canRetry) and its connection closed.
   * @default 60000
   */
  uploadDeadlineMs?: number;
  /** Told of every upload once it is answered (logs, metrics). */
  onUploadDone?: (event: UploadEvent) => void;
  /** Told of every upload as it starts (metrics). */
  onUploadStart?: () => void;
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
  fileExtensions?: readonly ImageExtension[];
}

/** One answered upload, for logs and metrics. */
export interface UploadEvent {
  requestId?: string;
  videoFileId: string;
  result: UploadCoverResult;
  /** File bytes read from the client. */
  bytesRead: number;
  /** Set when the file was read whole. */
  size?: number;
  sha1?: string;
  durationMs: number;
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
}

export interface CoverUploader {
  /** Validates, reads and sends one cover; every expected failure is the error member. */
  upload(input: UploadCoverInput): Promise<UploadCoverResult>;
  /** The extensions it accepts (`uploadLimits.fileExtensions`). */
  readonly fileExtensions: readonly ImageExtension[];
}

/**
 * The data path of `uploadVideoCover`: fileId → the part's name → its bytes (streamed, hashed,
 * checked) → VOD → result union. Nothing reaches VOD unless every check passed.
 */
export function createCoverUploader(options: CoverUploaderOptions): CoverUploader {
  const {
    maxFileSize = MAX_FILE_SIZE,
    maxRequestOverhead = 2 * 100_000 + 64 * 1024,
    uploadDeadlineMs = 60_000,
    onUploadDone,
    onUploadStart,
    fileExtensions = IMAGE_EXTENSIONS,
  } = options;
  const sender = createCoverSender(options);
  // Files are read into reused buffers (see buffer-pool.ts).
  const buffers = createBufferPool({ maxBufferSize: maxFileSize });

  async function upload(input: UploadCoverInput): Promise<UploadCoverResult> {
    onUploadStart?.();
    const started = performance.now();
    const facts: Facts = { bytesRead: 0 };
    // The file must arrive within the deadline; its timer goes as soon as the upload settles.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('upload deadline', 'TimeoutError')),
      uploadDeadlineMs,
    );
    let result: UploadCoverResult;
    try {
      result = await uploadOnce(input, facts, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
    onUploadDone?.({
      requestId: input.requestId,
      videoFileId: input.videoFileId,
      result,
      ...facts,
      durationMs: performance.now() - started,
    });
    return result;
  }
  const tooLarge = () => localError('FILE_TOO_LARGE', `The file is larger than ${maxFileSize} bytes.`);

  async function uploadOnce(
    { videoFileId, file, request, authorize, idempotencyKey }: UploadCoverInput,
    facts: Facts,
    deadline: AbortSignal,
  ): Promise<UploadCoverResult> {
    const stopReadingRequest = (): void => request?.stopReading();
    const requestSize = request?.declaredSize;
    if (!isValidVideoFileId(videoFileId)) {
      stopReadingRequest();
      return localError('INVALID_FILE_ID', UPLOAD_ERROR_REASONS.INVALID_FILE_ID);
    }
    const refusal = await authorize?.(videoFileId);
    if (refusal) {
      stopReadingRequest();
      return { ok: false, code: GATEWAY_CODES.FORBIDDEN, reason: 'FORBIDDEN', ...refusal };
    }
    let opened: OpenedUpload;
    try {
      opened = await untilAborted(openUpload(file), deadline, request?.stopped);
    } catch (error) {
      if (deadline.aborted) {
        stopReadingRequest();
        return localError('UPLOAD_ABORTED', `The file did not arrive within ${uploadDeadlineMs} ms.`);
      }
      if (request?.stopped.aborted) return NOT_READ_ANY_FURTHER;
      return partMissing(error);
    }
    const name = splitFileName(opened.filename, fileExtensions);
    if (!name.ok) {
      stopReadingRequest();
      discardUpload(opened);
      return localError(name.reason, name.message);
    }
    // Known before reading: a File's size, or at least what a request's length leaves for the file.
    const smallestPossible = opened.size ?? (requestSize === undefined ? 0 : requestSize - maxRequestOverhead);
    if (smallestPossible > maxFileSize) {
      stopReadingRequest();
      discardUpload(opened);
      return tooLarge();
    }
    const expectedKind = kindOfExtension(name.fileType);
    const read = await readUpload(opened.stream, {
      expectedKind,
      maxBytes: maxFileSize,
      sizeHint: opened.size ?? requestSize,
      signal: deadline,
      buffers,
    });
    facts.bytesRead = read.ok ? read.size : read.bytesRead;
    if (!read.ok) {
      if (read.reason !== 'EMPTY_FILE') stopReadingRequest();
      switch (read.reason) {
        case 'FILE_TOO_LARGE':
          return tooLarge();
        case 'EMPTY_FILE':
          return localError('EMPTY_FILE', 'The file is empty.');
        case 'CONTENT_MISMATCH':
          return localError(
            'CONTENT_MISMATCH',
            `The file is named .${name.fileType} but its bytes are ${read.detectedKind ? `a ${read.detectedKind} image` : `not a ${expectedKind} image`}.`,
          );
        case 'UPLOAD_ABORTED':
          return localError('UPLOAD_ABORTED', 'The upload stopped before the whole file arrived.');
        case 'DEADLINE':
          return localError('UPLOAD_ABORTED', `The file did not arrive within ${uploadDeadlineMs} ms.`);
      }
    }
    facts.size = read.size;
    facts.sha1 = read.sha1;
    try {
      // A part after the file may still make the request unacceptable (an undeclared extra file).
      if (request && !(await untilAborted(request.bodyAccepted, deadline).catch(() => false))) {
        return deadline.aborted
          ? localError('UPLOAD_ABORTED', `The request did not end within ${uploadDeadlineMs} ms.`)
          : REQUEST_REFUSED;
      }
      return await sender.send(
        {
          videoFileId,
          fileName: name.fileName,
          fileType: name.fileType,
          bytes: read.bytes,
          sha1: read.sha1,
          size: read.size,
        },
        idempotencyKey,
      );
    } finally {
      // The VOD call has settled (undici no longer writes the bytes), or never started.
      read.release();
    }
  }

  return { upload, fileExtensions };
}

interface Facts {
  bytesRead: number;
  size?: number;
  sha1?: string;
}

/**
 * Why the file part never came. graphql-upload-minimal rejects with status 400 when the request
 * names a part it does not hold, 499 when the client went away; busboy's own errors say
 * "Unexpected end of form" for a body cut short, anything else for one it cannot read. Only a
 * request cut short is worth sending again.
 */
function partMissing(error: unknown): UploadCoverResult {
  const { status, message = '' } = error as { status?: unknown; message?: string };
  if (status === 499 || /unexpected end/i.test(message)) {
    return localError('UPLOAD_ABORTED', 'The request ended before the file part arrived.');
  }
  const why =
    status === 400
      ? 'holds no file part for the `file` variable'
      : `is not a multipart body that can be read${message ? ` (${message})` : ''}`;
  return { ...localError('UPLOAD_ABORTED', `The request ${why}.`), canRetry: false };
}

const NOT_READ_ANY_FURTHER: UploadCoverResult = {
  ...localError(
    'UPLOAD_ABORTED',
    'The request is no longer read: an earlier field of it was refused, so this file part never arrives.',
  ),
  canRetry: false,
};
const REQUEST_REFUSED: UploadCoverResult = {
  ...localError(
    'UPLOAD_ABORTED',
    'The request was refused after the file part (see the HTTP answer), so the cover was not sent.',
  ),
  canRetry: false,
};

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
