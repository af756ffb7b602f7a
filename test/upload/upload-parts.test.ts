import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitFileName } from '../../src/upload/file-name.js';
import { detectImageKind } from '../../src/upload/image-type.js';
import { createOutcomes } from '../../src/upload/outcomes.js';
import { DEFAULT_LIMITS } from '../../src/upload/upload-cover.js';
import { readUpload } from '../../src/upload/read-upload.js';
import { images, jpegOfSize, sha1 } from '../fixtures/images.js';

describe('splitFileName', () => {
  it.each([
    ['cover.jpg', 'cover', 'jpg'],
    ['COVER.JPEG', 'COVER', 'jpeg'],
    ['封面 1.jpg', '封面 1', 'jpg'],
    ['my.holiday.png', 'my.holiday', 'png'],
    ['/home/me/a.gif', 'a', 'gif'],
    ['C:\\Users\\me\\b.webp', 'b', 'webp'],
    ['../../../etc/c.bmp', 'c', 'bmp'],
    [`${'é'.repeat(40)}.jpg`, 'é'.repeat(40), 'jpg'],
    // As macOS writes names: "e" and a combining acute accent, 80 code units for 40 characters.
    [`${'e\u0301'.repeat(40)}.jpg`, 'é'.repeat(40), 'jpg'],
  ])('splits %j into %j + %j', (raw, fileName, fileType) => {
    expect(splitFileName(raw)).toEqual({ ok: true, fileName, fileType });
  });

  // `\` and `/` never reach the rules: they separate the client's path, which is dropped.
  it.each<[string, string, string]>([
    ['a name of 41 characters', `${'a'.repeat(41)}.jpg`, 'INVALID_FILE_NAME'],
    ['a name of 41 CJK characters', `${'封'.repeat(41)}.jpg`, 'INVALID_FILE_NAME'],
    ...[':', '*', '?', '"', '<', '>', '|'].map((c): [string, string, string] => [
      `a name with ${c}`,
      `a${c}b.jpg`,
      'INVALID_FILE_NAME',
    ]),
    ['a NUL', 'a\u0000b.jpg', 'INVALID_FILE_NAME'],
    ['a line feed', 'a\nb.jpg', 'INVALID_FILE_NAME'],
    ['a carriage return', 'a\rb.jpg', 'INVALID_FILE_NAME'],
    ['an empty name', '.jpg', 'INVALID_FILE_NAME'],
    ['a path ending in a slash', 'dir/', 'INVALID_FILE_NAME'],
    ['a .txt', 'a.txt', 'UNSUPPORTED_FILE_TYPE'],
    ['no extension', 'cover', 'UNSUPPORTED_FILE_TYPE'],
    ['a trailing dot', 'cover.', 'UNSUPPORTED_FILE_TYPE'],
    ['.jpg.exe', 'cover.jpg.exe', 'UNSUPPORTED_FILE_TYPE'],
  ])('refuses %s', (_name, raw, reason) => {
    expect(splitFileName(raw)).toMatchObject({ ok: false, reason });
  });

  it('does not echo a huge extension into its message', () => {
    const result = splitFileName(`a.${'x'.repeat(10_000)}`);
    expect(result).toMatchObject({ ok: false, reason: 'UNSUPPORTED_FILE_TYPE' });
    const facts = !result.ok && result.reason === 'UNSUPPORTED_FILE_TYPE' ? { extension: result.extension } : {};
    const refused = createOutcomes(DEFAULT_LIMITS).error('UNSUPPORTED_FILE_TYPE', 'extension', facts);
    expect(refused.message).toBe(
      `The file has the extension ".${'x'.repeat(16)}"; a cover must be one of .jpg, .jpeg, .png, .gif, .webp, .bmp.`,
    );
  });
});

describe('detectImageKind', () => {
  it.each([
    ['jpg', 'JPEG'],
    ['png', 'PNG'],
    ['gif', 'GIF'],
    ['webp', 'WebP'],
    ['bmp', 'BMP'],
  ] as const)('knows a real %s as %s', (file, kind) => {
    expect(detectImageKind(images[file])).toBe(kind);
  });

  it.each([
    ['text', Buffer.from('hello world, not an image')],
    ['a RIFF that is not WebP', Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt ', 'latin1')],
    ['nothing', Buffer.alloc(0)],
  ])('knows %s as none', (_name, bytes) => {
    expect(detectImageKind(bytes)).toBeUndefined();
  });
});

describe('readUpload', () => {
  const chunked = (bytes: Buffer, size: number) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    return chunks;
  };

  it.each([1, 5, 4096])('hashes a file streamed in %i-byte chunks, holding the chunks once', async (size) => {
    const result = await readUpload(Readable.from(chunked(images.jpg, size)), { expectedKind: 'JPEG' });
    expect(result).toMatchObject({ ok: true, size: images.jpg.length, sha1: sha1(images.jpg) });
    expect(result.ok && result.bytes.equals(images.jpg)).toBe(true);
  });

  it.each([
    ['too small', 100],
    ['exact', images.jpg.length],
    ['too large', 10_000_000],
    ['not a number', Number.NaN],
  ])('reads whole whatever the size hint (%s)', async (_name, sizeHint) => {
    const result = await readUpload(Readable.from(chunked(images.jpg, 1000)), { expectedKind: 'JPEG', sizeHint });
    expect(result.ok && result.bytes.equals(images.jpg) && result.sha1 === sha1(images.jpg)).toBe(true);
  });

  it('reads a WHATWG stream (File.stream())', async () => {
    const result = await readUpload(new File([images.gif], 'a.gif').stream(), { expectedKind: 'GIF' });
    expect(result).toMatchObject({ ok: true, sha1: sha1(images.gif) });
  });

  it('stops a WHATWG stream that stalls at the deadline, and cancels it while its read waits', async () => {
    let cancelled = false;
    const stalling = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(images.jpg.subarray(0, 100));
      },
      cancel() {
        cancelled = true;
      },
    });
    const result = await readUpload(stalling, { expectedKind: 'JPEG', signal: AbortSignal.timeout(50) });
    expect(result).toMatchObject({ ok: false, reason: 'DEADLINE', bytesRead: 100 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cancelled).toBe(true);
  });

  it('cancels a WHATWG stream read past maxBytes', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(jpegOfSize(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const result = await readUpload(endless, { expectedKind: 'JPEG', maxBytes: 100_000 });
    expect(result).toMatchObject({ ok: false, reason: 'FILE_TOO_LARGE' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cancelled).toBe(true);
  });

  it('stops as soon as the count passes maxBytes', async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (const chunk of chunked(jpegOfSize(5 * 1024 * 1024), 64 * 1024)) {
          pulled += chunk.length;
          yield chunk;
        }
      })(),
    );
    const result = await readUpload(source, { expectedKind: 'JPEG', maxBytes: 1_048_576 });
    expect(result).toEqual({ ok: false, reason: 'FILE_TOO_LARGE', bytesRead: 1_048_576 + 64 * 1024 });
    expect(pulled).toBeLessThan(1.3 * 1024 * 1024);
  });

  it('stops at the first chunk when the magic bytes disagree', async () => {
    const result = await readUpload(Readable.from(chunked(images.png, 16)), { expectedKind: 'JPEG' });
    expect(result).toEqual({ ok: false, reason: 'CONTENT_MISMATCH', bytesRead: 16, detectedKind: 'PNG' });
  });

  it('checks magic bytes split across tiny chunks', async () => {
    const result = await readUpload(Readable.from(chunked(images.webp, 3)), { expectedKind: 'WebP' });
    expect(result).toMatchObject({ ok: true });
  });

  it('calls an empty stream EMPTY_FILE', async () => {
    expect(await readUpload(Readable.from([]), { expectedKind: 'JPEG' })).toMatchObject({
      ok: false,
      reason: 'EMPTY_FILE',
    });
  });

  it('calls a stream that errors UPLOAD_ABORTED', async () => {
    const source = new Readable({ read() {} });
    source.push(images.jpg.subarray(0, 100));
    setTimeout(() => source.destroy(new Error('Unexpected end of form')), 10);
    expect(await readUpload(source, { expectedKind: 'JPEG' })).toMatchObject({
      ok: false,
      reason: 'UPLOAD_ABORTED',
      bytesRead: 100,
    });
  });
});
