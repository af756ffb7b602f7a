/**
 * A cover's metadata (COVER_METADATA, `coverMetadata`), through the real gateway to the emulator,
 * with real images made here by sharp: by default EXIF (GPS included), XMP, IPTC and comments are
 * gone from the stored cover, its pixels, ICC profile and orientation are not; `keep` stores the
 * bytes as sent; the pixel limit is read from the header in both modes.
 */
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readUpload } from '../../src/upload/read-upload.js';
import { pngBomb, pngChunk, sha1 } from '../fixtures/images.js';
import { useGateway } from '../helpers/gateway.js';
import { sendPhoto as upload } from '../helpers/multipart.js';

const GPS = { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' };
const CAMERA = { Make: 'PhoneMaker', Model: 'Phone 15 Pro', DateTime: '2026:11:30 09:41:00' };
const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SecretEditor 9"/></rdf:RDF></x:xmpmeta>`;
/** Strings of the metadata above that must not be anywhere in a stripped cover. */
const LEAKS = ['PhoneMaker', 'Phone 15 Pro', '2026:11:30', 'SecretEditor', 'xmpmeta', 'a private comment'];

/** A 96 × 64 image, not symmetric, so a wrong turn or a changed pixel shows. */
function picture() {
  const width = 96;
  const height = 64;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) pixels.set([x * 2, y * 3, (x * y) % 256], (y * width + x) * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

/** A phone-style JPEG: GPS and camera EXIF, Orientation 6, XMP, a Display P3 profile, and a comment. */
async function phoneJpeg(): Promise<Buffer> {
  const jpeg = await picture()
    .jpeg({ quality: 90 })
    .withIccProfile('p3')
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: CAMERA, IFD3: GPS })
    .withXmp(XMP)
    .toBuffer();
  const comment = Buffer.from('a private comment', 'latin1');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
  return Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)]);
}

/** A PNG with EXIF (`eXIf`, Orientation 6) and a `tEXt` comment, before its first IDAT. */
async function phonePng(): Promise<Buffer> {
  const png = await picture().png().withMetadata({ orientation: 6 }).withExif({ IFD0: CAMERA, IFD3: GPS }).toBuffer();
  const idat = png.indexOf('IDAT') - 4;
  const text = pngChunk('tEXt', Buffer.from('Comment\0a private comment', 'latin1'));
  return Buffer.concat([png.subarray(0, idat), text, png.subarray(idat)]);
}

const decoded = async (image: Buffer) => (await sharp(image).raw().toBuffer({ resolveWithObject: true })).data;
const contains = (image: Buffer, text: string) => image.includes(Buffer.from(text, 'latin1'));

describe('cover metadata, stripped by default', () => {
  const harness = useGateway();
  const stored = () => {
    const covers = harness().emulator.covers.list();
    expect(covers).toHaveLength(1);
    return covers[0]!.bytes;
  };

  it('stores a phone JPEG without its GPS, camera, XMP or comment, with its pixels, ICC profile and orientation', async () => {
    const photo = await phoneJpeg();
    expect(LEAKS.every((leak) => contains(photo, leak))).toBe(true);
    const answer = await upload(harness().url, photo, 'photo.jpg');
    const cover = stored();
    expect(answer).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      url: harness().emulator.covers.list()[0]!.url,
      sha1: sha1(cover),
      size: cover.length,
      // Orientation 6 turns the stored 96 × 64 a quarter: it shows 64 wide, 96 high.
      width: 64,
      height: 96,
      transformed: false,
    });
    expect(cover.length).toBeLessThan(photo.length);
    expect(LEAKS.filter((leak) => contains(cover, leak))).toEqual([]);
    const meta = await sharp(cover).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(meta.icc).toEqual((await sharp(photo).metadata()).icc);
    // The EXIF left is the Orientation alone: `Exif\0\0` and a 26-byte TIFF.
    expect(meta.exif?.length).toBe(32);
    expect(await decoded(cover)).toEqual(await decoded(photo));
    const upright = await sharp(cover).autoOrient().toBuffer({ resolveWithObject: true });
    expect([upright.info.width, upright.info.height]).toEqual([64, 96]);
  });

  it('stores a PNG without its eXIf camera data and tEXt, keeping its pixels and Orientation', async () => {
    const photo = await phonePng();
    expect(['PhoneMaker', 'a private comment'].every((leak) => contains(photo, leak))).toBe(true);
    const answer = await upload(harness().url, photo, 'photo.png');
    const cover = stored();
    expect(answer).toMatchObject({ sha1: sha1(cover), size: cover.length, width: 64, height: 96 });
    expect(LEAKS.filter((leak) => contains(cover, leak))).toEqual([]);
    expect((await sharp(cover).metadata()).orientation).toBe(6);
    expect(await decoded(cover)).toEqual(await decoded(photo));
  });

  it('stores a WebP without its EXIF and XMP chunks, its RIFF size and VP8X flags rewritten', async () => {
    const photo = await picture()
      .webp({ lossless: true })
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: CAMERA, IFD3: GPS })
      .withXmp(XMP)
      .toBuffer();
    expect(contains(photo, 'XMP ') && contains(photo, 'PhoneMaker')).toBe(true);
    const answer = await upload(harness().url, photo, 'photo.webp');
    const cover = stored();
    expect(answer).toMatchObject({ sha1: sha1(cover), size: cover.length, width: 64, height: 96 });
    expect(LEAKS.filter((leak) => contains(cover, leak))).toEqual([]);
    expect(cover.readUInt32LE(4)).toBe(cover.length - 8);
    const meta = await sharp(cover).metadata();
    expect([meta.orientation, meta.xmp]).toEqual([6, undefined]);
    expect(await decoded(cover)).toEqual(await decoded(photo));
  });

  it('drops what follows a JPEG end of image (second images carry EXIF of their own)', async () => {
    const jpeg = await picture().jpeg().toBuffer();
    const trailer = await picture().jpeg().withExif({ IFD0: CAMERA }).toBuffer();
    await upload(harness().url, Buffer.concat([jpeg, trailer]), 'cover.jpg');
    expect(stored()).toEqual(jpeg);
  });

  it('sends an image with no metadata unchanged', async () => {
    const jpeg = await picture().jpeg().toBuffer();
    const answer = await upload(harness().url, jpeg, 'cover.jpg');
    expect(stored()).toEqual(jpeg);
    expect(answer).toMatchObject({ sha1: sha1(jpeg), size: jpeg.length, width: 96, height: 64 });
  });

  it('refuses a PNG that declares 60,000 × 60,000 pixels from its header, before reading the rest', async () => {
    const bomb = pngBomb();
    const answer = await upload(harness().url, bomb, 'bomb.png');
    expect(answer).toEqual({
      __typename: 'UploadVideoCoverError',
      code: -20010,
      reason: 'TOO_MANY_PIXELS',
      canRetry: false,
      message: 'The image is 60000 × 60000 pixels; a cover may have at most 40,000,000.',
    });
    expect(harness().emulator.callCount).toBe(0);
    // The request is cut off at the header: far less than the file's 200 KB is read.
    expect(harness().bytesRead()).toBeLessThan(bomb.length / 2);
  });

  it('refuses a PNG whose first chunk is not its header as IMAGE_UNREADABLE', async () => {
    const png = await picture().png().toBuffer();
    const ihdrEnd = 8 + 25;
    const swapped = Buffer.concat([png.subarray(0, 8), pngChunk('tEXt', Buffer.from('a\0b')), png.subarray(ihdrEnd)]);
    expect(await upload(harness().url, swapped, 'cover.png')).toEqual({
      __typename: 'UploadVideoCoverError',
      code: -20011,
      reason: 'IMAGE_UNREADABLE',
      canRetry: false,
      message: 'The image cannot be read: a PNG whose first chunk is not its header.',
    });
    expect(harness().emulator.callCount).toBe(0);
  });
});

describe('cover metadata kept (coverMetadata: keep)', () => {
  const harness = useGateway({ gateway: { coverMetadata: 'keep', maxPixels: 96 * 64 } });

  it('stores the phone JPEG (96 × 64: at the pixel limit, not past it) byte for byte, and answers its shown size', async () => {
    const photo = await phoneJpeg();
    const answer = await upload(harness().url, photo, 'photo.jpg');
    expect(harness().emulator.covers.list()[0]!.bytes).toEqual(photo);
    expect(answer).toMatchObject({ sha1: sha1(photo), size: photo.length, width: 64, height: 96 });
  });

  it('still refuses an image past the pixel limit (97 × 64 > 96 × 64)', async () => {
    const gif = await picture().resize(97, 64, { fit: 'fill' }).gif().toBuffer();
    const answer = await upload(harness().url, gif, 'cover.gif');
    expect(answer).toMatchObject({ reason: 'TOO_MANY_PIXELS', code: -20010 });
    expect(harness().emulator.callCount).toBe(0);
  });
});

describe('the metadata scan, as bytes arrive in chunks of any size', () => {
  const read = async (bytes: Buffer, chunk: number, kind: 'JPEG' | 'PNG' | 'WebP' | 'GIF') => {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += chunk) chunks.push(bytes.subarray(at, at + chunk));
    const result = await readUpload(Readable.from(chunks), { expectedKind: kind, maxBytes: 10_000_000 });
    if (!result.ok) throw new Error(`not read: ${JSON.stringify(result)}`);
    return { bytes: Buffer.from(result.bytes), sha1: result.sha1, image: result.image };
  };

  it.each([1, 3, 64, 4096])('gives the same cover and SHA-1 from chunks of %i bytes as from one', async (size) => {
    const images = [
      [await phoneJpeg(), 'JPEG'],
      [await phonePng(), 'PNG'],
      [await picture().webp().withMetadata({ orientation: 3 }).withExif({ IFD0: CAMERA }).toBuffer(), 'WebP'],
      [await picture().gif().toBuffer(), 'GIF'],
    ] as const;
    for (const [image, kind] of images) {
      const whole = await read(image, image.length, kind);
      expect(await read(image, size, kind)).toEqual(whole);
      expect(whole.sha1).toBe(sha1(whole.bytes));
    }
  });
});
