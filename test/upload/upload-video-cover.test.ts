import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { images, jpegOfSize, sha1 } from '../fixtures/images.js';
import { startGateway, useGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID, resultOf, sendUpload, uploadForm } from '../helpers/multipart.js';
import { BOUNDARY, UPLOAD_OPERATIONS, multipartBody } from '../helpers/raw-multipart.js';
import { sendThenHangUp } from '../helpers/raw-socket.js';

/** The same contract on both VOD APIs; where VOD's own answers differ, each expects its own. */
describe.each(['legacy', 'v3'] as const)('on the %s VOD API', (vodApi) => {
  const harness = useGateway({ gateway: { vodApi } });
  const upload = (
    options: Omit<Parameters<typeof sendUpload>[1], 'bytes' | 'filename'> & {
      bytes?: Buffer;
      filename?: string;
    } = {},
  ) =>
    sendUpload(harness().url, {
      bytes: images.jpg,
      filename: 'cover.jpg',
      ...options,
    });
  const legacy = vodApi === 'legacy';

  describe('uploadVideoCover succeeds', () => {
    it("returns the fileId and url VOD gave (in 3.0 the video's own id: a cover has none), and VOD holds the same bytes", async () => {
      const answer = await upload();
      expect(answer.status).toBe(200);
      const result = resultOf(answer);
      const stored = harness().emulator.covers.list();
      expect(stored).toHaveLength(1);
      expect(result).toEqual({
        __typename: 'UploadVideoCoverSuccess',
        fileId: legacy ? stored[0]!.fileId : VIDEO_FILE_ID,
        url: stored[0]!.url,
        videoFileId: VIDEO_FILE_ID,
        sha1: sha1(images.jpg),
        size: images.jpg.length,
        instant: false,
      });
      const served = await request(stored[0]!.url);
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect(sha1(Buffer.from(await served.body.arrayBuffer()))).toBe(sha1(images.jpg));
    });

    it('answers the same cover for the same bytes again (legacy VOD says instant: true; 3.0 has no such answer)', async () => {
      const first = resultOf(await upload());
      const second = resultOf(await upload());
      expect(second).toEqual({ ...first, instant: legacy });
      expect(harness().emulator.callCount).toBe(2);
    });

    it.each(
      (
        [
          ['png', 'cover.png'],
          ['gif', 'cover.gif'],
          ['webp', 'cover.webp'],
          ['bmp', 'cover.bmp'],
          ['jpg', 'cover.jpeg'],
          ['jpg', 'COVER.JPG'],
        ] as const
      ).filter(([kind]) => legacy || (kind !== 'webp' && kind !== 'bmp')),
    )('accepts a real %s image named %s', async (kind, filename) => {
      const result = resultOf(await upload({ bytes: images[kind], filename }));
      expect(result).toMatchObject({
        __typename: 'UploadVideoCoverSuccess',
        sha1: sha1(images[kind]),
      });
      const [cover] = harness().emulator.covers.list();
      // The legacy API is told the type by name; 3.0 takes the image's bytes.
      expect(cover!.fileType).toBe(legacy ? filename.split('.')[1]!.toLowerCase() : kind);
      expect(cover!.bytes.equals(images[kind])).toBe(true);
    });

    // API 3.0 takes no file name: these two say what the legacy API is told.
    if (legacy)
      it('sends a UTF-8 name without its extension: 封面 1.jpg → fileName 封面 1, fileType jpg', async () => {
        resultOf(await upload({ filename: '封面 1.jpg' }));
        expect(harness().emulator.covers.list()[0]).toMatchObject({
          fileName: '封面 1',
          fileType: 'jpg',
        });
      });

    if (legacy)
      it('strips a client path from the file name', async () => {
        resultOf(await upload({ filename: 'C:\\Users\\me\\covers\\holiday.jpg' }));
        expect(harness().emulator.covers.list()[0]).toMatchObject({
          fileName: 'holiday',
        });
      });

    it('accepts a file of exactly 1,048,576 bytes', async () => {
      const bytes = jpegOfSize(1_048_576);
      expect(resultOf(await upload({ bytes }))).toMatchObject({
        __typename: 'UploadVideoCoverSuccess',
        size: 1_048_576,
        sha1: sha1(bytes),
      });
    });

    it('accepts apollo-require-preflight instead of x-graphql-yoga-csrf', async () => {
      const answer = await upload({
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(resultOf(answer).__typename).toBe('UploadVideoCoverSuccess');
    });
  });

  describe('uploadVideoCover refuses bad input before calling VOD', () => {
    const text = Buffer.from('this is plain text, not an image at all');
    it.each<[string, string, number, { fileId?: string; bytes?: Buffer; filename?: string }]>([
      ['an empty fileId', 'INVALID_FILE_ID', -10003, { fileId: '' }],
      ['a fileId with a slash', 'INVALID_FILE_ID', -10003, { fileId: 'a/b' }],
      ['a fileId of 65 characters', 'INVALID_FILE_ID', -10003, { fileId: 'a'.repeat(65) }],
      ['a name of 41 characters', 'INVALID_FILE_NAME', -10003, { filename: `${'a'.repeat(41)}.jpg` }],
      ['a name with a colon', 'INVALID_FILE_NAME', -10003, { filename: 'a:b.jpg' }],
      ['a name with a question mark', 'INVALID_FILE_NAME', -10003, { filename: 'why?.jpg' }],
      ['a name that is only an extension', 'INVALID_FILE_NAME', -10003, { filename: '.jpg' }],
      ['a .txt file', 'UNSUPPORTED_FILE_TYPE', -10003, { filename: 'cover.txt', bytes: text }],
      ['a name without extension', 'UNSUPPORTED_FILE_TYPE', -10003, { filename: 'cover' }],
      ['a .jpg holding text', 'CONTENT_MISMATCH', -10003, { bytes: text }],
      ['a .jpg holding a PNG', 'CONTENT_MISMATCH', -10003, { bytes: images.png }],
      ['a .png holding a JPEG', 'CONTENT_MISMATCH', -10003, { filename: 'cover.png' }],
      ['an empty file', 'EMPTY_FILE', -10006, { bytes: Buffer.alloc(0) }],
      ['a file of 1,048,577 bytes', 'FILE_TOO_LARGE', -10006, { bytes: jpegOfSize(1_048_577) }],
    ])('%s → %s (%i)', async (_name, reason, code, options) => {
      const answer = await upload(options);
      expect(answer.status).toBe(200);
      const result = resultOf(answer);
      expect(result).toEqual({
        __typename: 'UploadVideoCoverError',
        reason,
        code,
        canRetry: false,
        message: expect.stringMatching(/\S/),
      });
      expect(harness().emulator.callCount).toBe(0);
      // The gateway keeps serving on a fresh request.
      expect(resultOf(await upload()).__typename).toBe('UploadVideoCoverSuccess');
    });

    it('refuses 5 MiB with FILE_TOO_LARGE after reading at most ~1.1 MiB of it', async () => {
      const answer = await upload({ bytes: jpegOfSize(5 * 1024 * 1024) });
      expect(resultOf(answer)).toMatchObject({
        reason: 'FILE_TOO_LARGE',
        code: -10006,
        canRetry: false,
      });
      expect(harness().bytesRead()).toBeLessThanOrEqual(1.1 * 1024 * 1024);
      expect(harness().emulator.callCount).toBe(0);
      expect(resultOf(await upload()).__typename).toBe('UploadVideoCoverSuccess');
    });

    it('refuses a chunked 5 MiB upload (no Content-Length) after reading at most ~1.1 MiB of it', async () => {
      const form = uploadForm({
        bytes: jpegOfSize(5 * 1024 * 1024),
        filename: 'big.jpg',
      });
      const encoded = new Response(form);
      const contentType = encoded.headers.get('content-type')!;
      // A stream body is sent chunked: the gateway has no length to judge by and must count.
      const res = await request(harness().url, {
        method: 'POST',
        headers: { 'content-type': contentType, 'x-graphql-yoga-csrf': '1' },
        body: Readable.fromWeb(encoded.body! as import('node:stream/web').ReadableStream),
      });
      const body = (await res.body.json()) as {
        data: { uploadVideoCover: Record<string, unknown> };
      };
      expect(body.data.uploadVideoCover).toMatchObject({
        reason: 'FILE_TOO_LARGE',
        code: -10006,
      });
      expect(harness().bytesRead()).toBeGreaterThan(1024 * 1024);
      expect(harness().bytesRead()).toBeLessThanOrEqual(1.1 * 1024 * 1024);
      expect(resultOf(await upload()).__typename).toBe('UploadVideoCoverSuccess');
    });

    it('refuses a request whose length leaves no room for a valid file, without reading the file', async () => {
      const answer = await upload({ bytes: jpegOfSize(2 * 1024 * 1024) });
      expect(resultOf(answer)).toMatchObject({
        reason: 'FILE_TOO_LARGE',
        code: -10006,
      });
      expect(harness().bytesRead()).toBeLessThan(512 * 1024);
    });

    it('names the mismatch in the message', async () => {
      const result = resultOf(await upload({ bytes: images.png }));
      expect(result).toMatchObject({
        message: 'The file is named .jpg but its bytes are a PNG image.',
      });
    });
  });

  describe('the multipart request itself', () => {
    it('is refused with 403 without a CSRF header, naming the headers that let it in; nothing reaches VOD', async () => {
      const answer = await upload({ headers: {} });
      expect(answer.status).toBe(403);
      expect(answer.body.errors).toEqual([
        {
          message:
            'A multipart, form or text/plain request needs one of these headers (any value), so that a browser preflights it: x-graphql-yoga-csrf, apollo-require-preflight.',
          extensions: { code: 'CSRF_HEADER_MISSING' },
        },
      ]);
      expect(harness().emulator.callCount).toBe(0);
    });

    it('from a client that aborts mid-upload makes no VOD call, and the gateway keeps serving', async () => {
      const body = multipartBody([
        { name: 'operations', value: UPLOAD_OPERATIONS() },
        { name: 'map', value: '{"0":["variables.file"]}' },
        {
          name: '0',
          filename: 'cover.jpg',
          bytes: images.jpg,
          contentType: 'image/jpeg',
        },
      ]);
      const partial = body.subarray(0, body.length - images.jpg.length + 4000);
      const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-graphql-yoga-csrf: 1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`;
      await sendThenHangUp(harness().url, [head, partial], 100);
      await new Promise((r) => setTimeout(r, 100));
      expect(harness().emulator.callCount).toBe(0);
      expect(resultOf(await upload()).__typename).toBe('UploadVideoCoverSuccess');
      expect(harness().emulator.callCount).toBe(1);
    });

    it.each([
      ['no map', [['operations', '{"query":"{ __typename }"}']]],
      [
        'non-JSON operations',
        [
          ['operations', '{not json'],
          ['map', '{}'],
        ],
      ],
      [
        'map before operations',
        [
          ['map', '{}'],
          ['operations', '{}'],
        ],
      ],
    ])('with %s is answered 400 with a GraphQL error', async (_name, fields) => {
      const form = new FormData();
      for (const [name, value] of fields as [string, string][]) form.append(name, value);
      const res = await fetch(harness().url, {
        method: 'POST',
        body: form,
        headers: { 'x-graphql-yoga-csrf': '1' },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    });

    it('with two files is refused with 413', async () => {
      const form = uploadForm({ bytes: images.jpg, filename: 'a.jpg' });
      form.set('map', JSON.stringify({ 0: ['variables.file'], 1: ['variables.other'] }));
      form.append('1', new Blob([images.jpg]), 'b.jpg');
      const res = await fetch(harness().url, {
        method: 'POST',
        body: form,
        headers: { 'x-graphql-yoga-csrf': '1' },
      });
      expect(res.status).toBe(413);
      await res.arrayBuffer();
      expect(harness().emulator.callCount).toBe(0);
    });
  });

  describe('VOD failures become the error member', () => {
    it('retries VOD canRetry 1 twice, then succeeds', async () => {
      harness().emulator.inject({ kind: 'answer', code: -10004, canRetry: 1 }, 2);
      expect(resultOf(await upload()).__typename).toBe('UploadVideoCoverSuccess');
      expect(harness().emulator.callCount).toBe(3);
    });

    it('gives VOD_UNAVAILABLE with VOD code and canRetry true when canRetry 1 answers outlast the retries', async () => {
      // The emulator's 3.0 side answers such a fault with InternalError.
      harness().emulator.inject({ kind: 'answer', code: -10005, canRetry: 1 }, 3);
      expect(resultOf(await upload())).toMatchObject({
        reason: 'VOD_UNAVAILABLE',
        code: legacy ? -10005 : -20105,
        canRetry: true,
      });
    });

    it.each([
      ['a 502', { kind: 'status', status: 502 } as const, -20003],
      ['a dropped connection', { kind: 'drop' } as const, -20002],
      ['malformed JSON', { kind: 'malformed' } as const, -20004],
    ])('gives VOD_UNAVAILABLE, canRetry true, for %s', async (_name, fault, code) => {
      harness().emulator.inject(fault, 3);
      expect(resultOf(await upload())).toMatchObject({
        reason: 'VOD_UNAVAILABLE',
        code,
        canRetry: true,
      });
      expect(harness().emulator.callCount).toBe(3);
    });

    it('gives VOD_REJECTED, canRetry false, for a wrong SecretKey (legacy -10002; 3.0 -20101 AuthFailure.SignatureFailure)', async () => {
      await using wrongKey = await startGateway({
        vod: { secretKey: `${DEV_CREDENTIAL.secretKey}-wrong` },
        gateway: { vodApi },
      });
      const result = resultOf(
        await sendUpload(wrongKey.url, {
          bytes: images.jpg,
          filename: 'cover.jpg',
        }),
      );
      expect(result).toMatchObject({
        __typename: 'UploadVideoCoverError',
        reason: 'VOD_REJECTED',
        code: legacy ? -10002 : -20101,
        canRetry: false,
      });
      expect(wrongKey.emulator.callCount).toBe(1);
    });

    it('gives VOD_UNAVAILABLE -20001, canRetry true, when VOD does not answer in time', async () => {
      await using slow = await startGateway({
        vod: { retry: { maxAttempts: 2, baseDelayMs: 5, deadlineMs: 400 } },
        gateway: { vodApi },
      });
      slow.emulator.inject({ kind: 'delay', ms: 3000 }, 2);
      const result = resultOf(
        await sendUpload(slow.url, {
          bytes: images.jpg,
          filename: 'cover.jpg',
        }),
      );
      expect(result).toMatchObject({
        __typename: 'UploadVideoCoverError',
        reason: 'VOD_UNAVAILABLE',
        code: -20001,
        canRetry: true,
      });
    });
  });
});

describe('unexpected errors', () => {
  it('are masked: no stack, no internals', async () => {
    await using broken = await startGateway({
      gateway: {
        vod: {
          setCover: () => Promise.reject(new Error(`internal detail ${DEV_CREDENTIAL.secretKey}`)),
          close: () => Promise.resolve(),
        },
      },
    });
    const answer = await sendUpload(broken.url, {
      bytes: images.jpg,
      filename: 'cover.jpg',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(JSON.stringify(answer.body)).not.toMatch(/internal detail|stack|secret/i);
  });
});
