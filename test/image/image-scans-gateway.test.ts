/**
 * The image scans end to end, through the real gateway to the emulator: a few of the hostile
 * corpus's files (test/fixtures/hostile-images.ts) get their exact answers, the review's 392 KiB
 * progressive JPEG is refused in fit mode for a fraction of the CPU sharp would spend on it, what a
 * stripped cover keeps is only what decoders read, and an ordinary upload still succeeds after them.
 */
import { cpuUsage } from 'node:process';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { STOWAWAY, hostileImage, progressiveJpeg } from '../fixtures/hostile-images.js';
import { images, sha1 } from '../fixtures/images.js';
import { useGateway } from '../helpers/gateway.js';
import { sendPhoto as upload } from '../helpers/multipart.js';

const tooManyPixels = (width: number, height: number) => ({
  __typename: 'UploadVideoCoverError',
  code: -20010,
  reason: 'TOO_MANY_PIXELS',
  canRetry: false,
  message: `The image is ${width} × ${height} pixels; a cover may have at most 40,000,000.`,
});
const unreadable = (detail: string) => ({
  __typename: 'UploadVideoCoverError',
  code: -20011,
  reason: 'IMAGE_UNREADABLE',
  canRetry: false,
  message: `The image cannot be read: ${detail}.`,
});

describe('hostile images through the gateway, fitting on', () => {
  const harness = useGateway({ gateway: { fit: true } });

  it('refuses the review’s 392 KiB, 2,647-scan progressive JPEG at its 101st scan, before the fitter sees it, in a fraction of a second of CPU', async () => {
    const jpeg = progressiveJpeg(6000, 2647);
    expect(jpeg.length).toBe(401_614);
    const before = cpuUsage();
    const answer = await upload(harness().url, jpeg, 'progressive.jpg');
    const used = cpuUsage(before);
    // The structure case: the scan's answer; the fitter's are 'decode' or FIT_UNAVAILABLE at its deadline.
    expect(answer).toEqual(unreadable('a JPEG of more than 100 scans'));
    expect(harness().emulator.callCount).toBe(0);
    // The whole request in this process, the test's side included: measured 0.1–0.2 s here, where
    // sharp spends 25 s of CPU decoding the file (the fitter kills it at its 8 s deadline).
    expect((used.user + used.system) / 1e6).toBeLessThan(3);
  });

  it.each([
    ['a TIFF declaring 60000 × 60000', 'huge.tif'],
    ['an AVIF declaring 60000 × 60000', 'huge.avif'],
  ])('refuses %s as TOO_MANY_PIXELS, with the size it declares', async (name, file) => {
    expect(await upload(harness().url, hostileImage(name).make(), file)).toEqual(tooManyPixels(60000, 60000));
    expect(harness().emulator.callCount).toBe(0);
  });

  it('refuses a TIFF of 1,001 chained directories as IMAGE_UNREADABLE', async () => {
    const tiff = hostileImage('a TIFF of 1,001 chained directories').make();
    expect(await upload(harness().url, tiff, 'pages.tif')).toEqual(unreadable('a TIFF of more than 1,000 directories'));
  });

  it('still fits an ordinary TIFF and an ordinary AVIF after them', async () => {
    const photo = sharp({ create: { width: 120, height: 80, channels: 3, background: '#336699' } });
    for (const [bytes, file] of [
      [await photo.clone().tiff().toBuffer(), 'photo.tif'],
      [await photo.clone().avif().toBuffer(), 'photo.avif'],
    ] as const) {
      expect(await upload(harness().url, bytes, file)).toMatchObject({
        __typename: 'UploadVideoCoverSuccess',
        width: 120,
        height: 80,
        transformed: true,
      });
    }
  });
});

describe('hostile images through the gateway, metadata stripped', () => {
  const harness = useGateway();
  const stored = () => {
    const covers = harness().emulator.covers.list();
    expect(covers).toHaveLength(1);
    return covers[0]!.bytes;
  };

  it('refuses a 35-byte GIF of a 100 × 100 screen and a 16000 × 16000 frame as TOO_MANY_PIXELS at the frame’s size', async () => {
    const gif = hostileImage('a 35-byte GIF of a 100 × 100 screen and one 16000 × 16000 frame').make();
    expect(gif.length).toBe(35);
    expect(await upload(harness().url, gif, 'cover.gif')).toEqual(tooManyPixels(16000, 16000));
    expect(harness().emulator.callCount).toBe(0);
  });

  it('stores a JPEG without the EXIF block appended past its ICC profile, the profile cut to its declared 400 bytes', async () => {
    const jpeg = hostileImage('a JPEG with an EXIF block appended past its ICC profile’s declared size').make();
    const answer = await upload(harness().url, jpeg, 'cover.jpg');
    const cover = stored();
    expect(answer).toMatchObject({ __typename: 'UploadVideoCoverSuccess', sha1: sha1(cover), width: 320, height: 180 });
    expect(cover.includes(STOWAWAY)).toBe(false);
    expect((await sharp(cover).metadata()).icc?.length).toBe(400);
  });

  it('answers a JPEG whose first EXIF block says 1 and second 6 as shown upright (320 × 180), as decoders show it', async () => {
    const jpeg = hostileImage('a JPEG with two EXIF blocks, orientation 1 then 6').make();
    expect(await upload(harness().url, jpeg, 'cover.jpg')).toMatchObject({ width: 320, height: 180 });
    // The first block's orientation 1 needs no EXIF at all: none is left.
    expect((await sharp(stored()).metadata()).orientation).toBeUndefined();
  });

  it('stores an animated WebP without the XMP hidden in a frame, its RIFF and frame sizes rewritten so sharp reads both frames', async () => {
    const webp = hostileImage('an animated WebP with XMP in a frame').make();
    expect(await upload(harness().url, webp, 'cover.webp')).toMatchObject({ width: 128, height: 64 });
    const cover = stored();
    expect(cover.includes(STOWAWAY)).toBe(false);
    expect(cover.readUInt32LE(4)).toBe(cover.length - 8);
    expect(await sharp(cover, { pages: -1 }).metadata()).toMatchObject({ width: 128, pages: 2, pageHeight: 64 });
  });

  it('still stores an ordinary JPEG byte for byte after them', async () => {
    const answer = await upload(harness().url, images.jpg, 'cover.jpg');
    expect(stored()).toEqual(images.jpg);
    expect(answer).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      url: harness().emulator.covers.list()[0]!.url,
      sha1: sha1(images.jpg),
      size: images.jpg.length,
      width: 320,
      height: 180,
      transformed: false,
    });
  });
});
