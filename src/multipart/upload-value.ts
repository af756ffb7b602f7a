import type { Readable } from 'node:stream';

/** What graphql-upload-minimal resolves an `Upload` to. */
export interface FileUpload {
  filename: string;
  mimetype: string;
  encoding: string;
  createReadStream(): Readable;
}

/**
 * A value of the `Upload` scalar, whichever host parsed the request: graphql-upload-minimal's
 * `Upload` (a promise of a {@link FileUpload}), a {@link FileUpload}, or a WHATWG `File` (Yoga's own
 * multipart parser, `yoga.fetch`).
 */
export type UploadValue = { promise: Promise<FileUpload> } | FileUpload | File;

/** An upload whose part has arrived: its name and its bytes, still to be read. */
export interface OpenedUpload {
  filename: string;
  /** The part's bytes; call once. */
  stream: Readable | ReadableStream<Uint8Array>;
  /** The exact size, when the host knows it before reading (a WHATWG File). */
  size?: number;
}

/** Whether a variable value can be an `Upload` (checked when the scalar parses it). */
export function isUploadValue(value: unknown): value is UploadValue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof (v['promise'] as Promise<unknown> | undefined)?.then === 'function' ||
    typeof v['createReadStream'] === 'function' ||
    (typeof v['stream'] === 'function' && typeof v['name'] === 'string')
  );
}

/** Waits for the part to arrive. Rejects when the request ended without it. */
export async function openUpload(value: UploadValue): Promise<OpenedUpload> {
  if ('promise' in value) value = await value.promise;
  if ('createReadStream' in value) return { filename: value.filename, stream: value.createReadStream() };
  return { filename: value.name, stream: value.stream() as ReadableStream<Uint8Array>, size: value.size };
}

/** Lets go of a part that will not be read, so its buffered bytes are freed now. */
export function discardUpload(opened: OpenedUpload): void {
  const { stream } = opened;
  if ('getReader' in stream) void stream.cancel().catch(() => undefined);
  else stream.on('error', () => undefined).destroy();
}
