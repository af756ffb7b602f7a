/**
 * Fitting (COVER_FIT=on, `createGateway({ fit })`) through the real gateway to the emulator, with
 * real photos made here by sharp: a phone-sized JPEG becomes a cover VOD takes, a WebP becomes a
 * JPEG under API 3.0, a photo that already fits is not re-encoded, and every bound (pixels, input
 * size, places, deadline, memory) holds.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pngBomb, sha1 } from '../fixtures/images.js';
import { progressiveJpeg } from '../fixtures/hostile-images.js';
import { phonePhotoJpeg, photoJpegOfSize } from '../../support/photos.js';
import { startGateway, useGateway } from '../helpers/gateway.js';
import { sendPhoto as upload } from '../helpers/multipart.js';
import { BOUNDARY, UPLOAD_OPERATIONS, fieldPart, multipartBody, rawPost } from '../helpers/raw-multipart.js';
import { cpuMs } from '../../bench/proc.js';
import { sendThenHangUp } from '../helpers/raw-socket.js';
import { startService } from '../helpers/service.js';

let photo: Promise<Buffer> | undefined;
/** The photo, made once for the file. */
const aPhoto = () => (photo ??= phonePhotoJpeg());

describe('fitting on the legacy API', () => {
  const harness = useGateway({ gateway: { fit: true } });

  it('makes a 12-megapixel, 7 MB phone JPEG a JPEG of at most 1 MiB, upright, longest side 1920, no EXIF', async () => {
    const original = await aPhoto();
    expect(original.length).toBeGreaterThan(6_000_000);
    const answer = await upload(harness().url, original, 'IMG_0001.jpg');
    const [stored] = harness().emulator.covers.list();
    const cover = stored!.bytes;
    // Orientation 6: the 4000 × 3000 stored picture shows 3000 wide, 4000 high; fitted, 1440 × 1920.
    expect(answer).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      url: stored!.url,
      sha1: sha1(cover),
      size: cover.length,
      width: 1440,
      height: 1920,
      transformed: true,
    });
    expect(cover.length).toBeLessThanOrEqual(1_048_576);
    const meta = await sharp(cover).metadata();
    expect([meta.format, meta.width, meta.height, meta.orientation, meta.exif]).toEqual([
      'jpeg',
      1440,
      1920,
      undefined,
      undefined,
    ]);
    expect(cover.includes('PhoneMaker')).toBe(false);
  });

  it('sends a photo that already fits as it is (metadata stripped), not re-encoded', async () => {
    const small = await sharp(await aPhoto())
      .resize(800)
      .jpeg()
      .toBuffer();
    const answer = await upload(harness().url, small, 'small.jpg');
    expect(answer).toMatchObject({ transformed: false, width: 800, height: 600, sha1: sha1(small) });
    expect(harness().emulator.covers.list()[0]!.bytes).toEqual(small);
  });

  it('re-encodes a photo within 1 MiB whose longest side is over 1920', async () => {
    const wide = await sharp({ create: { width: 3000, height: 200, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    expect(await upload(harness().url, wide, 'wide.jpg')).toMatchObject({
      transformed: true,
      width: 1920,
      height: 128,
    });
  });

  it('refuses a PNG that declares 60,000 × 60,000 from its header, before decoding anything', async () => {
    const bomb = pngBomb();
    expect(await upload(harness().url, bomb, 'bomb.png')).toMatchObject({ reason: 'TOO_MANY_PIXELS', code: -20010 });
    expect(harness().emulator.callCount).toBe(0);
  });

  it('says HEIC is not supported and what to send instead', async () => {
    const heic = Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(2000)]);
    expect(await upload(harness().url, heic, 'IMG_0002.HEIC')).toEqual({
      __typename: 'UploadVideoCoverError',
      reason: 'UNSUPPORTED_IMAGE_FORMAT',
      code: -10003,
      canRetry: false,
      message:
        'HEIC photos are not supported: send JPEG or PNG (on an iPhone, Settings › Camera › Formats › Most Compatible).',
    });
  });

  it('says in uploadLimits that it fits photos, up to 25 MiB, into 1920 pixels, of every type it can convert (HEIC not offered)', async () => {
    const res = await fetch(harness().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ uploadLimits { maxFileSize fitsPhotos maxDimension fileExtensions } }' }),
    });
    expect(await res.json()).toEqual({
      data: {
        uploadLimits: {
          maxFileSize: 26_214_400,
          fitsPhotos: true,
          maxDimension: 1920,
          fileExtensions: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'avif', 'tif', 'tiff'],
        },
      },
    });
  });
});

describe('fitting, memory', () => {
  const MiB = 2 ** 20;
  const kB = (pid: number, field: 'VmRSS' | 'VmHWM') =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

  it('holds at most 128 MiB of inputs: 64 photos of 20 MiB at once are each stored or told to retry before being read, RSS within 300 MiB of idle, /health answering within 1 s', async () => {
    await using service = await startService({ COVER_FIT: 'on' });
    const original = await photoJpegOfSize(20 * MiB);
    // Warm: the first transform starts a fit process.
    expect((await upload(service.url, await aPhoto(), 'IMG.jpg', 'warm-up')).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    const idle = kB(service.pid, 'VmRSS');
    const health = watchHealth(new URL('/health', service.url).href);
    // Raw sockets sharing the file's bytes: the test's own client stays light beside the service.
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => rawPost(service.url, photoRequest(original, `video-${i}`))),
    );
    const slowestHealth = await health.stop();
    const peak = kB(service.pid, 'VmHWM');
    const results = answers.map((a) => a.json?.data?.['uploadVideoCover'] as { __typename: string } | undefined);
    const told = results.filter((r) => r?.__typename !== 'UploadVideoCoverSuccess');
    console.log(
      `64 × 20 MiB: ${64 - told.length} stored, ${told.length} told to retry; idle RSS ${(idle / MiB).toFixed(0)} MiB, ` +
        `peak ${(peak / MiB).toFixed(0)} MiB; slowest /health ${slowestHealth.toFixed(0)} ms`,
    );
    // Every answer that is not a stored cover is this one.
    expect([...new Map(told.map((r) => [JSON.stringify(r), r])).values()]).toEqual([
      {
        __typename: 'UploadVideoCoverError',
        code: -20012,
        reason: 'FIT_UNAVAILABLE',
        message: 'Too many large photos are arriving at once; try again shortly.',
        canRetry: true,
      },
    ]);
    // Six fit beside each other in 128 MiB.
    expect(64 - told.length).toBeGreaterThanOrEqual(6);
    // 128 MiB of inputs, their copies on the way to a fit process, and the parser's chunks.
    expect(peak - idle).toBeLessThan(300 * MiB);
    expect(slowestHealth).toBeLessThan(1000);
  }, 120_000);
});

/** A multipart upload of `file` as IMG.jpg for `fileId`, in pieces that share the file's bytes. */
function photoRequest(file: Buffer, fileId: string): Buffer[] {
  const head = multipartBody(
    [
      fieldPart('operations', UPLOAD_OPERATIONS(fileId)),
      fieldPart('map', { 0: ['variables.file'] }),
      { name: '0', filename: 'IMG.jpg', bytes: Buffer.alloc(0), contentType: 'image/jpeg' },
    ],
    { close: false },
  );
  return [head.subarray(0, head.length - 2), file, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)];
}

/** Asks `url` every 100 ms until stopped; resolves with the slowest answer's time, in ms. */
function watchHealth(url: string): { stop(): Promise<number> } {
  let slowest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return slowest;
    },
  };
}

describe('fitting ends work nobody will get', () => {
  const harness = useGateway({ gateway: { fit: { deadlineMs: 300 } } });

  it('ends a transform at its 300 ms deadline, CPU and all: a progressive JPEG of many scans costs at most 700 ms of CPU, then an ordinary photo is fitted', async () => {
    // About a second of CPU to decode: as many scans as the scan of its header lets through.
    const slow = progressiveJpeg(6000, 100);
    // Warm: the fit process is started (its start-up is not the transform's).
    expect((await upload(harness().url, await smallPhoto(), 'warm.jpg')).__typename).toBe('UploadVideoCoverSuccess');
    const before = cpuMs(process.pid);
    expect(await upload(harness().url, slow, 'scans.jpg')).toEqual({
      __typename: 'UploadVideoCoverError',
      reason: 'FIT_UNAVAILABLE',
      code: -20012,
      canRetry: true,
      message: 'Fitting the photo took too long; try again, or send a smaller one.',
    });
    // Whatever is still running after the answer shows up here.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const spent = cpuMs(process.pid) - before;
    console.log(`a transform past its deadline: ${spent} ms of CPU, reading and answering included`);
    expect(spent).toBeLessThan(700);
    expect(harness().emulator.callCount).toBe(1);
    expect((await upload(harness().url, await smallPhoto(), 'after.jpg')).__typename).toBe('UploadVideoCoverSuccess');
  });

  it('drops queued and running transforms of clients that went away: nothing is stored, and no CPU is spent on them afterwards', async () => {
    await using h = await startGateway({ gateway: { fit: { concurrency: 1 } } });
    const slow = progressiveJpeg(6000, 100);
    expect((await upload(h.url, await smallPhoto(), 'warm.jpg')).__typename).toBe('UploadVideoCoverSuccess');
    h.reset();
    // Three clients send a JPEG that takes over a second of CPU to fit: the first gets the one place,
    // the two others wait for it; those two hang up, then the first, while it is being fitted.
    const send = (id: string, hangUpAfterMs: number) =>
      sendThenHangUp(h.url, [rawRequestHead(h.url, slow), ...photoRequest(slow, `video-${id}`)], hangUpAfterMs);
    const before = cpuMs(process.pid);
    // (The transform takes about 0.9 s of CPU here: the first hangs up well before it could end.)
    const first = send('a', 600);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await Promise.all([first, send('b', 250), send('c', 250)]);
    // Half a second for the service to see the connections close; then over two seconds of fitting
    // would be left for work nobody stopped.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = cpuMs(process.pid);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const afterwards = cpuMs(process.pid) - settled;
    console.log(`3 fits whose clients left: ${settled - before} ms of CPU until then, ${afterwards} ms after`);
    expect(afterwards).toBeLessThan(300);
    expect(h.emulator.callCount).toBe(0);
    expect((await upload(h.url, await smallPhoto(), 'after.jpg')).__typename).toBe('UploadVideoCoverSuccess');
  });
});

let small: Promise<Buffer> | undefined;
/**
 * A photo that needs fitting (2000 wide, over 1920) but almost no CPU: 2000 × 8 of one colour.
 * Fit processes run at a lower priority, so beside busy cores a large photo could pass a short
 * deadline; this one cannot.
 */
const smallPhoto = () =>
  (small ??= sharp({ create: { width: 2000, height: 8, channels: 3, background: '#336699' } })
    .jpeg()
    .toBuffer());

/** The head of a multipart POST carrying {@link photoRequest}'s pieces. */
function rawRequestHead(url: string, file: Buffer): string {
  const { host, pathname } = new URL(url);
  const length = photoRequest(file, 'video-x').reduce((sum, piece) => sum + piece.length, 0);
  return [
    `POST ${pathname} HTTP/1.1`,
    `Host: ${host}`,
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    `Content-Length: ${length}`,
    'x-graphql-yoga-csrf: 1',
    '',
    '',
  ].join('\r\n');
}

describe('fitting on API 3.0', () => {
  const harness = useGateway({ gateway: { vodApi: 'v3', fit: true } });

  it('stores a WebP (a type API 3.0 does not take) as a JPEG', async () => {
    const webp = await sharp(await aPhoto())
      .resize(640)
      .webp()
      .toBuffer();
    const answer = await upload(harness().url, webp, 'cover.webp');
    expect(answer).toMatchObject({ __typename: 'UploadVideoCoverSuccess', transformed: true, width: 640, height: 480 });
    expect((await sharp(harness().emulator.covers.list()[0]!.bytes).metadata()).format).toBe('jpeg');
  });
});

describe("fitting's bounds", () => {
  it('refuses a file over maxInputFileSize while reading it', async () => {
    await using h = await startGateway({ gateway: { fit: { maxInputFileSize: 2_000_000 } } });
    expect(await upload(h.url, await aPhoto(), 'IMG.jpg')).toMatchObject({
      reason: 'FILE_TOO_LARGE',
      message: 'The file is larger than 2000000 bytes.',
    });
  });

  it('answers FIT_UNAVAILABLE (canRetry) past its deadline', async () => {
    await using h = await startGateway({ gateway: { fit: { deadlineMs: 1 } } });
    expect(await upload(h.url, await aPhoto(), 'IMG.jpg')).toEqual({
      __typename: 'UploadVideoCoverError',
      reason: 'FIT_UNAVAILABLE',
      code: -20012,
      canRetry: true,
      message: 'Fitting the photo took too long; try again, or send a smaller one.',
    });
    expect(h.emulator.callCount).toBe(0);
  });

  it('answers FIT_UNAVAILABLE busy when every place stays taken past the wait', async () => {
    await using h = await startGateway({ gateway: { fit: { concurrency: 1, queueTimeoutMs: 0 } } });
    const original = await aPhoto();
    const answers = await Promise.all([
      upload(h.url, original, 'a.jpg', 'video-a'),
      upload(h.url, original, 'b.jpg', 'video-b'),
    ]);
    expect(answers.map((a) => (a.__typename === 'UploadVideoCoverError' ? a.message : a.__typename)).sort()).toEqual([
      'Too many photos are being fitted; try again shortly.',
      'UploadVideoCoverSuccess',
    ]);
  });
});
