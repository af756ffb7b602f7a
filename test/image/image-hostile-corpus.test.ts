/**
 * The hostile corpus (test/fixtures/hostile-images.ts) through readUpload, as the upload path reads
 * a file, in both metadata modes: each file gets its exact outcome (the refusal and its detail, or
 * the size and orientation), the same however its bytes arrive; a stripped cover holds none of the
 * bytes the file smuggles, a kept one (or a real image's) is the file, and a cover reads again as
 * it is; and where sharp reads the file, the size and orientation it reports, for the file and for
 * the cover, are the ones answered.
 */
import { cpuUsage } from 'node:process';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readUpload } from '../../src/upload/read-upload.js';
import { HOSTILE_IMAGES, type HostileImage, type Outcome } from '../fixtures/hostile-images.js';
import { sha1 } from '../fixtures/images.js';

type Metadata = 'strip' | 'keep';
const FIT_ONLY = new Set(['TIFF', 'AVIF', 'HEIC']);

/** What readUpload gives the file, its bytes arriving in chunks of `chunk`. */
async function read(image: HostileImage, bytes: Buffer, metadata: Metadata, chunk = bytes.length) {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) chunks.push(bytes.subarray(at, at + chunk));
  const result = await readUpload(Readable.from(chunks), { expectedKind: image.kind, maxBytes: 32 << 20, metadata });
  if (!result.ok) {
    const { reason, declared, detail } = result;
    return { outcome: { reason, ...declared, ...(detail === undefined ? {} : { detail }) }, cover: undefined };
  }
  expect(result.sha1).toBe(sha1(result.bytes));
  expect(result.size).toBeLessThanOrEqual(bytes.length);
  return { outcome: { reason: 'OK', image: result.image }, cover: Buffer.from(result.bytes) };
}

/** The test's name: the file, and what it gets. */
function says(outcome: Outcome, metadata: Metadata): string {
  if (outcome.reason === 'IMAGE_UNREADABLE') return `is IMAGE_UNREADABLE: ${outcome.detail}`;
  if (outcome.reason === 'TOO_MANY_PIXELS') return `is TOO_MANY_PIXELS at ${outcome.width} × ${outcome.height}`;
  const image = outcome.image
    ? `is read as ${outcome.image.width} × ${outcome.image.height}, orientation ${outcome.image.orientation}`
    : 'is left to the fitter';
  if (metadata === 'keep') return `${image}, every byte kept`;
  return outcome.absent ? `${image}, without what it smuggles` : image;
}

/** What sharp (libvips) shows of `bytes`: its size and orientation. */
async function shown(bytes: Buffer) {
  const meta = await sharp(bytes).metadata();
  return { width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 };
}

describe.each(['strip', 'keep'] as const)('the image scans, metadata %s', (metadata) => {
  it.each(
    HOSTILE_IMAGES.map((image) => [`${image.item}: ${image.name} ${says(image.outcome, metadata)}`, image] as const),
  )('%s', async (_, image) => {
    const bytes = image.make();
    const { outcome, cover } = await read(image, bytes, metadata);
    const expected = image.outcome.reason === 'OK' ? { reason: 'OK', image: image.outcome.image } : image.outcome;
    const { absent = [], profile } = image.outcome.reason === 'OK' ? image.outcome : {};
    expect(outcome).toEqual(expected);
    // However the bytes arrive: one at a time (small files), or in a few hundred odd-sized chunks.
    const chunkings = [...(bytes.length <= 4096 ? [1] : []), Math.ceil(bytes.length / 257)];
    for (const chunk of chunkings) {
      const chunked = await read(image, bytes, metadata, chunk);
      expect({ chunk, outcome: chunked.outcome }).toEqual({ chunk, outcome });
      expect(chunked.cover?.equals(cover!) ?? cover === undefined).toBe(true);
    }
    if (!cover) return;
    if (metadata === 'keep' || image.item === 'real') expect(cover.equals(bytes)).toBe(true);
    // A cover reads again as it is: the sizes and offsets rewritten in it hold.
    const again = await read(image, cover, metadata);
    expect(again.outcome).toEqual(outcome);
    expect(again.cover?.equals(cover)).toBe(true);
    for (const smuggled of absent) {
      expect(bytes.includes(smuggled)).toBe(true);
      expect(cover.includes(smuggled)).toBe(metadata === 'keep');
    }
    if (!image.sharpReads) return;
    if (FIT_ONLY.has(image.kind)) {
      await expect(sharp(cover).metadata()).resolves.toMatchObject({ format: 'tiff' });
      return;
    }
    expect(await shown(bytes)).toEqual(outcome.image);
    expect(await shown(cover)).toEqual(outcome.image);
    // The profile a stripped cover keeps is the one its file declares, to the byte.
    if (profile !== undefined && metadata === 'strip') {
      expect((await sharp(cover).metadata()).icc?.length ?? 0).toBe(profile);
    }
  });
});

describe('the image scans’ own decompression', () => {
  it('inflates one ICC profile of a PNG at most: 200 profiles that each inflate past 8 MB cost well under a second of CPU', async () => {
    const png = HOSTILE_IMAGES.find((image) => image.name === 'a PNG of 200 ICC profiles that each inflate past 8 MB')!;
    const bytes = png.make();
    const before = cpuUsage();
    const { outcome } = await read(png, bytes, 'strip');
    const used = cpuUsage(before);
    expect(outcome).toEqual({ reason: 'OK', image: { width: 64, height: 64, orientation: 1 } });
    // One inflate stopped at 8 MB is about 10 ms; all 200 would be 2 s and more.
    expect((used.user + used.system) / 1000).toBeLessThan(500);
  });
});
