import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { COVER_SCAN_DEFAULTS, createCoverScan, type CoverMetadata, type ScannedImage } from '../image/cover-scan.js';
import type { ByteScan } from '../image/byte-scan.js';
import { MAX_FILE_SIZE } from '../vod/cover-rules.js';
import type { BufferPool } from './buffer-pool.js';
import { MAGIC_BYTES_NEEDED, detectImageKind, type ImageKind } from './image-type.js';
import { outcomeKey, type OutcomeFacts, type OutcomeKey } from './outcomes.js';

/** Options of {@link readUpload}. */
export interface ReadUploadOptions {
  /** The image kind the extension promises; reading stops at the first bytes when they disagree. */
  expectedKind: ImageKind;
  /**
   * Largest file accepted, in bytes; reading stops as soon as the count passes it.
   * @default 1048576
   */
  maxBytes?: number;
  /**
   * What the file's size is likely to be at most (the request's Content-Length, a File's size):
   * the buffer is allocated once at this size and grows only if it was too small.
   * @default 65536
   */
  sizeHint?: number | undefined;
  /** When it aborts, reading stops with reason DEADLINE (a client sending too slowly). */
  signal?: AbortSignal;
  /**
   * Where the buffer comes from; a file that is not read whole gives it back at once, and one that
   * is gives it back with `release()`.
   * @default a new buffer for each file
   */
  buffers?: BufferPool;
  /**
   * `strip` removes the image's metadata as it arrives (see image/cover-scan.ts); `keep` passes
   * every byte.
   * @default 'strip'
   */
  metadata?: CoverMetadata;
  /**
   * Most pixels (width × height, from the image's header) accepted, in every mode.
   * @default 40000000
   */
  maxPixels?: number;
}

/** The whole cover, held once in one buffer, with its SHA-1. */
export interface ReadUploadDone {
  ok: true;
  /** The cover's bytes, its metadata stripped (a view of the buffer they were copied into as they arrived). */
  bytes: Buffer;
  /** Bytes of the cover (what VOD gets), at most the bytes received. */
  size: number;
  /** Bytes received. */
  bytesReceived: number;
  /** Of the cover's bytes, lower-case hex. */
  sha1: string;
  /** Its stored size and EXIF orientation; none for the formats only fitting reads (AVIF, TIFF, HEIC). */
  image: ScannedImage | undefined;
  /** Gives the buffer behind `bytes` back to the pool: call once nothing uses `bytes` any more. */
  release(): void;
}

/** Why the file was not read whole. Nothing read so far is kept. */
export interface ReadUploadStopped {
  ok: false;
  reason:
    | 'FILE_TOO_LARGE'
    | 'EMPTY_FILE'
    | 'CONTENT_MISMATCH'
    | 'UPLOAD_ABORTED'
    | 'DEADLINE'
    | 'TOO_MANY_PIXELS'
    | 'IMAGE_UNREADABLE';
  /** Bytes read before stopping. */
  bytesRead: number;
  /** With CONTENT_MISMATCH: what the first bytes are, if any kind of ours. */
  detectedKind?: ImageKind;
  /** With TOO_MANY_PIXELS: the size the header declares. */
  declared?: { width: number; height: number };
  /** With IMAGE_UNREADABLE: what could not be read. */
  detail?: string;
}

export type ReadUploadResult = ReadUploadDone | ReadUploadStopped;

/** What each way of stopping tells the client; a client too slow for the deadline is cut off. */
const STOPPED_OUTCOMES: Record<ReadUploadStopped['reason'], OutcomeKey> = {
  FILE_TOO_LARGE: outcomeKey('FILE_TOO_LARGE', 'size'),
  EMPTY_FILE: outcomeKey('EMPTY_FILE', 'empty'),
  CONTENT_MISMATCH: outcomeKey('CONTENT_MISMATCH', 'bytes'),
  UPLOAD_ABORTED: outcomeKey('UPLOAD_ABORTED', 'cut-short'),
  DEADLINE: outcomeKey('UPLOAD_ABORTED', 'file-deadline'),
  TOO_MANY_PIXELS: outcomeKey('TOO_MANY_PIXELS', 'header'),
  IMAGE_UNREADABLE: outcomeKey('IMAGE_UNREADABLE', 'structure'),
};

/**
 * The outcome a stopped read names, its facts those it stopped with (the kind detected, the size
 * declared, what could not be read) and the caller's (the extension, the kind it promises).
 */
export function stoppedOutcome(stopped: ReadUploadStopped, facts: OutcomeFacts): OutcomeKey {
  const { detectedKind, declared, detail } = stopped;
  return { ...facts, detectedKind, declared, detail, ...STOPPED_OUTCOMES[stopped.reason] };
}

/**
 * Reads an uploaded file as it streams in: counts the bytes, updates the SHA-1 chunk by chunk,
 * checks the magic bytes as soon as the first ones are in, and stops at once on oversize or
 * mismatch (the caller then stops reading the request). Takes a Node stream
 * (graphql-upload-minimal) or a WHATWG stream (`File.stream()`).
 */
export function readUpload(
  stream: Readable | ReadableStream<Uint8Array>,
  options: ReadUploadOptions,
): Promise<ReadUploadResult> {
  const maxBytes = options.maxBytes ?? MAX_FILE_SIZE;
  const hint =
    options.sizeHint !== undefined && Number.isSafeInteger(options.sizeHint) && options.sizeHint > 0
      ? options.sizeHint
      : 65_536;
  const scan = createCoverScan(
    options.expectedKind,
    options.metadata ?? COVER_SCAN_DEFAULTS.coverMetadata,
    options.maxPixels ?? COVER_SCAN_DEFAULTS.maxPixels,
  );
  const sink = new UploadSink(
    options.expectedKind,
    maxBytes,
    Math.min(hint, maxBytes),
    options.buffers ?? UNPOOLED,
    scan,
  );
  if (options.signal?.aborted) return Promise.resolve(sink.deadline());
  // One reading loop: a WHATWG stream (yoga.fetch's File) is read as a Node one.
  return readNode(isWebStream(stream) ? asNodeStream(stream) : stream, sink, options.signal);
}

/**
 * Folds chunks into one buffer as they arrive; `push` returns false once reading should stop.
 * Copying each chunk once lets the parser's buffers go at once, and VOD gets one buffer: one write.
 * The scan then compacts the cover in that buffer (metadata out), and the SHA-1 follows the bytes
 * it has settled: those VOD gets.
 */
class UploadSink {
  #buffer: Buffer;
  readonly #hash: Hash = createHash('sha1');
  /** Bytes received (where the next chunk goes in the buffer). */
  #size = 0;
  /** Bytes of the cover hashed so far. */
  #hashed = 0;
  #headChecked = false;
  stopped: ReadUploadStopped | undefined;

  constructor(
    readonly expectedKind: ImageKind,
    readonly maxBytes: number,
    initialCapacity: number,
    readonly buffers: BufferPool,
    readonly scan: ByteScan,
  ) {
    this.#buffer = buffers.acquire(Math.max(initialCapacity, MAGIC_BYTES_NEEDED));
  }

  push(chunk: Buffer): boolean {
    const end = this.#size + chunk.length;
    if (end > this.maxBytes) {
      this.#size = end;
      return this.#stop('FILE_TOO_LARGE');
    }
    if (end > this.#buffer.length) this.#grow(end);
    chunk.copy(this.#buffer, this.#size);
    this.#size = end;
    if (!this.#headChecked) {
      if (end < MAGIC_BYTES_NEEDED) return true;
      if (!this.#checkHead()) return false;
    }
    this.scan.advance(this.#buffer, end);
    return this.#settle();
  }

  /** Hashes what the scan settled; false when the scan refused the image. */
  #settle(): boolean {
    const { scan } = this;
    if (scan.problem) {
      const { problem } = scan;
      this.#stop(problem.reason);
      if (problem.reason === 'TOO_MANY_PIXELS')
        this.stopped!.declared = { width: problem.width, height: problem.height };
      else this.stopped!.detail = problem.detail;
      return false;
    }
    if (scan.settled > this.#hashed) {
      this.#hash.update(this.#buffer.subarray(this.#hashed, scan.settled));
      this.#hashed = scan.settled;
    }
    return true;
  }

  end(): ReadUploadResult {
    if (this.stopped) return this.stopped;
    if (this.#size === 0) return this.#stopped('EMPTY_FILE');
    if (!this.#headChecked && !this.#checkHead()) return this.stopped!;
    this.scan.finish(this.#buffer, this.#size);
    if (!this.#settle()) return this.stopped!;
    const buffer = this.#buffer;
    const { written, image } = this.scan;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.buffers.release(buffer);
    };
    return {
      ok: true,
      bytes: buffer.subarray(0, written),
      size: written,
      bytesReceived: this.#size,
      sha1: this.#hash.digest('hex'),
      image,
      release,
    };
  }

  /** The size hint was short: double (within maxBytes), keeping what was read. */
  #grow(needed: number): void {
    const grown = this.buffers.acquire(Math.min(this.maxBytes, Math.max(needed, this.#buffer.length * 2)));
    this.#buffer.copy(grown, 0, 0, this.#size);
    this.buffers.release(this.#buffer);
    this.#buffer = grown;
  }

  abort(): ReadUploadStopped {
    return this.stopped ?? this.#stopped('UPLOAD_ABORTED');
  }

  deadline(): ReadUploadStopped {
    return this.stopped ?? this.#stopped('DEADLINE');
  }

  #checkHead(): boolean {
    this.#headChecked = true;
    const detected = detectImageKind(this.#buffer.subarray(0, Math.min(this.#size, MAGIC_BYTES_NEEDED)));
    if (detected === this.expectedKind) return true;
    this.#stop('CONTENT_MISMATCH');
    if (detected !== undefined) this.stopped!.detectedKind = detected;
    return false;
  }

  #stop(reason: ReadUploadStopped['reason']): false {
    this.stopped ??= this.#stopped(reason);
    return false;
  }

  #stopped(reason: ReadUploadStopped['reason']): ReadUploadStopped {
    if (this.#buffer !== EMPTY) this.buffers.release(this.#buffer);
    this.#buffer = EMPTY;
    this.stopped = { ok: false, reason, bytesRead: this.#size };
    return this.stopped;
  }
}

const EMPTY = Buffer.alloc(0);
const UNPOOLED: BufferPool = { acquire: (size) => Buffer.allocUnsafe(size), release: () => undefined };

/** Reads `stream` into `sink` until it ends, stops, is cut off, or `signal` aborts (the deadline). */
function readNode(stream: Readable, sink: UploadSink, signal: AbortSignal | undefined): Promise<ReadUploadResult> {
  return new Promise((resolve) => {
    const settle = (result: ReadUploadResult): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onClose);
      signal?.removeEventListener('abort', onDeadline);
      // Errors after we stop (the request torn down) have nobody left to tell.
      stream.on('error', () => undefined);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      if (!sink.push(chunk)) {
        // Drop the part's buffered bytes: nothing more of it will be read.
        stream.destroy();
        settle(sink.stopped!);
      }
    };
    const onEnd = (): void => settle(sink.end());
    // 'close' without 'end': the part was cut off (client gone, parser error).
    const onClose = (): void => settle(sink.abort());
    const onDeadline = (): void => {
      stream.destroy();
      settle(sink.deadline());
    };
    signal?.addEventListener('abort', onDeadline, { once: true });
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}

/**
 * A WHATWG stream (yoga.fetch's File) as a Node one, read by its reader (whatwg-node's streams
 * cannot be iterated); cancelled as soon as the Node stream is destroyed, even mid-read, so that a read
 * stopped early (oversize, mismatch, the deadline) leaves nothing waiting on it.
 */
function asNodeStream(stream: ReadableStream<Uint8Array>): Readable {
  const reader = stream.getReader();
  return new Readable({
    read() {
      reader.read().then(
        ({ done, value }) => this.push(done ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
        (error: Error) => this.destroy(error),
      );
    },
    destroy(error, callback) {
      reader.cancel().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

function isWebStream(stream: Readable | ReadableStream<Uint8Array>): stream is ReadableStream<Uint8Array> {
  return typeof (stream as ReadableStream<Uint8Array>).getReader === 'function';
}
