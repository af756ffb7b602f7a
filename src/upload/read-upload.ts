import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MAX_FILE_SIZE } from '../vod/protocol.js';
import { MAGIC_BYTES_NEEDED, detectImageKind, type ImageKind } from './image-type.js';

/** Options of {@link readUpload}. */
export interface ReadUploadOptions {
  /** The image kind the extension promises; reading stops at the first bytes when they disagree. */
  expectedKind: ImageKind;
  /**
   * Largest file accepted, in bytes; reading stops as soon as the count passes it.
   * @default 1048576
   */
  maxBytes?: number;
}

/** The whole file, held once: the chunks as they arrived, their SHA-1 and size. */
export interface ReadUploadDone {
  ok: true;
  chunks: Buffer[];
  size: number;
  /** Lower-case hex. */
  sha1: string;
}

/** Why the file was not read whole. Nothing read so far is kept. */
export interface ReadUploadStopped {
  ok: false;
  reason: 'FILE_TOO_LARGE' | 'EMPTY_FILE' | 'CONTENT_MISMATCH' | 'UPLOAD_ABORTED';
  /** Bytes read before stopping. */
  bytesRead: number;
  /** With CONTENT_MISMATCH: what the first bytes are, if any kind of ours. */
  detectedKind?: ImageKind;
}

export type ReadUploadResult = ReadUploadDone | ReadUploadStopped;

/**
 * Reads an uploaded file as it streams in: counts the bytes, updates the SHA-1 chunk by chunk,
 * checks the magic bytes as soon as the first ones are in, and stops at once on oversize or
 * mismatch (the caller then stops reading the request). Takes a Node stream
 * (graphql-upload-minimal) or a WHATWG stream (`File.stream()`).
 */
export function readUpload(stream: Readable | ReadableStream<Uint8Array>, options: ReadUploadOptions): Promise<ReadUploadResult> {
  const sink = new UploadSink(options.expectedKind, options.maxBytes ?? MAX_FILE_SIZE);
  return isWebStream(stream) ? readWeb(stream, sink) : readNode(stream, sink);
}

/** Folds chunks into the result; `push` returns false once reading should stop. */
class UploadSink {
  readonly #chunks: Buffer[] = [];
  readonly #hash: Hash = createHash('sha1');
  #size = 0;
  #headChecked = false;
  stopped: ReadUploadStopped | undefined;

  constructor(
    readonly expectedKind: ImageKind,
    readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#size > this.maxBytes) return this.#stop('FILE_TOO_LARGE');
    this.#chunks.push(chunk);
    this.#hash.update(chunk);
    if (!this.#headChecked && this.#size >= MAGIC_BYTES_NEEDED) return this.#checkHead();
    return true;
  }

  end(): ReadUploadResult {
    if (this.stopped) return this.stopped;
    if (this.#size === 0) return this.#stopped('EMPTY_FILE');
    if (!this.#headChecked && !this.#checkHead()) return this.stopped!;
    return { ok: true, chunks: this.#chunks, size: this.#size, sha1: this.#hash.digest('hex') };
  }

  abort(): ReadUploadStopped {
    return this.stopped ?? this.#stopped('UPLOAD_ABORTED');
  }

  #checkHead(): boolean {
    this.#headChecked = true;
    const first = this.#chunks[0]!;
    const head = first.length >= MAGIC_BYTES_NEEDED ? first : Buffer.concat(this.#chunks).subarray(0, MAGIC_BYTES_NEEDED);
    const detected = detectImageKind(head);
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
    this.#chunks.length = 0;
    this.stopped = { ok: false, reason, bytesRead: this.#size };
    return this.stopped;
  }
}

function readNode(stream: Readable, sink: UploadSink): Promise<ReadUploadResult> {
  return new Promise((resolve) => {
    const settle = (result: ReadUploadResult): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onClose);
      // Errors after we stop (the request torn down) have nobody left to tell.
      stream.on('error', () => undefined);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      if (!sink.push(chunk)) {
        stream.pause();
        settle(sink.stopped!);
      }
    };
    const onEnd = (): void => settle(sink.end());
    // 'close' without 'end': the part was cut off (client gone, parser error).
    const onClose = (): void => settle(sink.abort());
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}

async function readWeb(stream: ReadableStream<Uint8Array>, sink: UploadSink): Promise<ReadUploadResult> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return sink.end();
      const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (!sink.push(chunk)) {
        void reader.cancel().catch(() => undefined);
        return sink.stopped!;
      }
    }
  } catch {
    return sink.abort();
  } finally {
    reader.releaseLock();
  }
}

function isWebStream(stream: Readable | ReadableStream<Uint8Array>): stream is ReadableStream<Uint8Array> {
  return typeof (stream as ReadableStream<Uint8Array>).getReader === 'function';
}
