import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { ByteScan } from './byte-scan.js';
import { orientationTiff } from './exif-orientation.js';
import { MAX_ICC_SIZE, declaredIccSize } from './icc-profile.js';
import { SCAN_BOUNDS, formatCount } from './scan-bounds.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

/** What a decoder knows of the image when it meets a chunk. */
interface Header {
  colourType: number;
  /** Entries of PLTE, 0 before it (or without one). */
  paletteEntries: number;
}

/**
 * The ancillary chunks a stripped cover keeps: those that change how the image shows (colour,
 * transparency, pixel size, animation). A chunk is kept only where libpng reads it (before PLTE or
 * IDAT, after PLTE for a palette's), the first of its type, of the size its type has and with its
 * CRC right: libpng skips any other ("out of place", "duplicate", "invalid", CRC error), so it
 * could carry anything. Every other ancillary chunk is dropped: text (`tEXt`, `zTXt`, `iTXt`,
 * where XMP lives too), `tIME`, `sPLT` and `hIST` (no viewer draws with them), `eXIf` (but its
 * Orientation), and private ones.
 */
const KEPT_ANCILLARY: Record<string, { before: 'PLTE' | 'IDAT'; size: (length: number, header: Header) => boolean }> = {
  cHRM: { before: 'PLTE', size: (n) => n === 32 },
  gAMA: { before: 'PLTE', size: (n) => n === 4 },
  iCCP: { before: 'PLTE', size: (n) => n >= 3 },
  sBIT: { before: 'PLTE', size: (n, h) => n === bytesByColourType(h, [1, 0, 3, 3, 2, 0, 4]) },
  sRGB: { before: 'PLTE', size: (n) => n === 1 },
  cICP: { before: 'PLTE', size: (n) => n === 4 },
  mDCV: { before: 'PLTE', size: (n) => n === 24 },
  cLLI: { before: 'IDAT', size: (n) => n === 8 },
  tRNS: {
    before: 'IDAT',
    size: (n, h) => (h.colourType === 3 ? n >= 1 && n <= h.paletteEntries : n === bytesByColourType(h, [2, 0, 6])),
  },
  bKGD: {
    before: 'IDAT',
    size: (n, h) =>
      h.colourType === 3 ? n === 1 && h.paletteEntries > 0 : n === bytesByColourType(h, [2, 0, 6, 0, 2, 0, 6]),
  },
  pHYs: { before: 'IDAT', size: (n) => n === 9 },
  acTL: { before: 'IDAT', size: (n) => n === 8 },
};
/** libvips' own name for the profile: an iCCP chunk's name is free text nothing reads. */
const ICC_NAME = Buffer.from('icc\0', 'latin1');
/** An APNG frame control chunk's data: sequence, width, height, x, y, delay, dispose, blend. */
const FCTL_SIZE = 26;

/**
 * PNG: the signature, then chunks (length, type, data, CRC) up to IEND; nothing after it is kept.
 * In every mode: the header first and once, no critical chunk decoders do not know, every APNG
 * frame within the canvas and counted against the pixel limit, and chunk counts within
 * {@link SCAN_BOUNDS}.
 */
export class PngScan extends ByteScan {
  #state: 'signature' | 'chunks' | 'after' = 'signature';
  #header: Header = { colourType: 0, paletteEntries: 0 };
  #seen = new Set<string>();
  #dataChunks = 0;
  #frames = 0;
  #ancillary = 0;

  protected step(): boolean {
    if (this.#state === 'signature') {
      if (this.available < SIGNATURE.length) return false;
      if (!this.buffer.subarray(this.cursor, this.cursor + SIGNATURE.length).equals(SIGNATURE)) {
        return this.unreadable('no PNG signature');
      }
      this.keep(SIGNATURE.length);
      this.#state = 'chunks';
      return true;
    }
    if (this.#state === 'after') {
      if (this.strip) this.dropRest();
      else this.keepRest();
      return false;
    }
    if (this.available < 8) return false;
    const { buffer, cursor } = this;
    const length = buffer.readUInt32BE(cursor);
    const type = buffer.toString('latin1', cursor + 4, cursor + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) {
      return this.unreadable('a PNG chunk that cannot be read');
    }
    const total = 12 + length;
    if (!this.image) return this.#imageHeader(type, length, total);
    if (type.charCodeAt(0) < 0x61) return this.#critical(type, length, total);
    if (type === 'fdAT') return this.#frameData(total);
    // An ancillary chunk is judged whole (and counted once, however its bytes arrive).
    if (this.available < total) return false;
    if (type === 'fcTL') return this.#frameControl(length, total);
    if (++this.#ancillary > SCAN_BOUNDS.pngAncillaryChunks) {
      return this.unreadable(`a PNG of more than ${formatCount(SCAN_BOUNDS.pngAncillaryChunks)} ancillary chunks`);
    }
    const beforeData = !this.#seen.has('IDAT');
    if (type === 'eXIf') {
      // libpng reads eXIf before IDAT only, and only when it starts with the TIFF's byte order.
      const order = buffer.toString('latin1', cursor + 8, cursor + 10);
      const honoured = beforeData && length >= 2 && (order === 'II' || order === 'MM');
      return this.exifBlock(total, 8, total - 4, honoured, exifChunk);
    }
    if (this.strip) return this.#keptIfRead(type, length, total);
    if (type === 'acTL' && beforeData) this.#seen.add(type);
    this.keep(total);
    return true;
  }

  protected override atEnd(): void {
    super.atEnd();
    if (this.problem === undefined && !this.#seen.has('IDAT')) this.unreadable('a PNG without image data');
  }

  /** The first chunk must be IHDR, of 13 bytes: the image's size. */
  #imageHeader(type: string, length: number, total: number): boolean {
    if (type !== 'IHDR') return this.unreadable('a PNG whose first chunk is not its header');
    if (length !== 13) return this.unreadable(`a PNG header of ${length} bytes`);
    if (this.available < 18) return false;
    this.sized(this.buffer.readUInt32BE(this.cursor + 8), this.buffer.readUInt32BE(this.cursor + 12));
    this.#header.colourType = this.buffer[this.cursor + 17]!;
    this.keep(total);
    return this.problem === undefined;
  }

  #critical(type: string, length: number, total: number): boolean {
    if (!CRITICAL.has(type)) {
      // libpng and every browser stop at a critical chunk they do not know.
      return this.unreadable(`an unknown critical PNG chunk "${type}"`);
    }
    if (type === 'IHDR') return this.unreadable('a PNG with a second header');
    if (type === 'PLTE') {
      if (this.#seen.has('PLTE')) return this.unreadable('a PNG with a second palette');
      this.#header.paletteEntries = Math.floor(length / 3);
    }
    if (type === 'IDAT' && ++this.#dataChunks > SCAN_BOUNDS.pngDataChunks) {
      return this.unreadable(`a PNG of more than ${formatCount(SCAN_BOUNDS.pngDataChunks)} image data chunks`);
    }
    if (type === 'IEND') this.#state = 'after';
    this.#seen.add(type);
    this.keep(total);
    return true;
  }

  /**
   * APNG's frame chunks: counted, each frame within the canvas (Chromium and Firefox refuse one
   * that is not). Without an acTL first, no decoder animates: a stripped cover drops them.
   */
  #frameControl(length: number, total: number): boolean {
    const animated = this.#seen.has('acTL');
    if (++this.#frames > SCAN_BOUNDS.frames) {
      return this.unreadable(`an animated PNG of more than ${formatCount(SCAN_BOUNDS.frames)} frames`);
    }
    if (!animated || length !== FCTL_SIZE) {
      this.keepUnlessStripping(total);
      return true;
    }
    const at = this.cursor + 8;
    const [width, height, x, y] = [4, 8, 12, 16].map((offset) => this.buffer.readUInt32BE(at + offset)) as [
      number,
      number,
      number,
      number,
    ];
    if (!this.counted(width, height)) return false;
    if (width === 0 || height === 0 || x + width > this.width || y + height > this.height) {
      return this.unreadable(`an animated PNG frame of ${width} × ${height} at ${x}, ${y} outside its canvas`);
    }
    this.keep(total);
    return true;
  }

  #frameData(total: number): boolean {
    if (++this.#dataChunks > SCAN_BOUNDS.pngDataChunks) {
      return this.unreadable(`a PNG of more than ${formatCount(SCAN_BOUNDS.pngDataChunks)} image data chunks`);
    }
    if (this.#seen.has('acTL')) this.keep(total);
    else this.keepUnlessStripping(total);
    return true;
  }

  /** Stripping: an ancillary chunk is kept only when it changes how the image shows, and decoders read it. */
  #keptIfRead(type: string, length: number, total: number): boolean {
    const rule = KEPT_ANCILLARY[type];
    const seen = this.#seen;
    const inPlace = rule && !seen.has('IDAT') && (rule.before === 'IDAT' || !seen.has('PLTE'));
    if (!rule || !inPlace || seen.has(type) || !rule.size(length, this.#header)) {
      this.drop(total);
      return true;
    }
    const { buffer, cursor } = this;
    const crc = crc32(buffer.subarray(cursor + 4, cursor + 8 + length));
    if (crc !== buffer.readUInt32BE(cursor + 8 + length)) {
      this.drop(total);
      return true;
    }
    // The first of its type in place is the one decoders read (after a bad iCCP, libpng marks the
    // colour space invalid): later ones are dropped unread, so at most one profile is inflated.
    seen.add(type);
    if (type === 'iCCP') return this.#iccp(total);
    this.keep(total);
    return true;
  }

  /**
   * The ICC profile, rebuilt: libvips' name for it (the name is free text nothing reads), and the
   * profile cut to its declared size (libpng reads that many bytes of it, and ignores what follows
   * the compressed stream). One decoders would skip (not compressed with zlib, cut short, past
   * libpng's size limit) is dropped.
   */
  #iccp(total: number): boolean {
    const data = this.buffer.subarray(this.cursor + 8, this.cursor + total - 4);
    const nameEnd = data.indexOf(0);
    const rebuilt =
      nameEnd >= 1 && nameEnd <= 79 && data[nameEnd + 1] === 0 ? iccChunk(data.subarray(nameEnd + 2)) : undefined;
    this.drop(total);
    if (rebuilt && rebuilt.length <= total) this.insert(rebuilt);
    return true;
  }
}

/** The iCCP chunk of a profile compressed as `compressed`, or none when decoders would skip it. */
function iccChunk(compressed: Buffer): Buffer | undefined {
  let profile: Buffer;
  let used: number;
  try {
    const inflated = inflateSync(compressed, { maxOutputLength: MAX_ICC_SIZE, info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    profile = inflated.buffer;
    used = inflated.engine.bytesWritten;
  } catch {
    return undefined;
  }
  const declared = declaredIccSize(profile);
  if (declared === undefined || declared > profile.length) return undefined;
  const stream =
    declared === profile.length && used === compressed.length
      ? compressed
      : deflateSync(profile.subarray(0, declared), { level: 9 });
  return pngChunk('iCCP', Buffer.concat([ICC_NAME, Buffer.from([0]), stream]));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** An `eXIf` chunk of the Orientation alone. */
function exifChunk(orientation: Parameters<typeof orientationTiff>[0]): Buffer {
  return pngChunk('eXIf', orientationTiff(orientation));
}

/** A chunk's size for the image's colour type, from `sizes` by type (0: a type it does not have). */
function bytesByColourType(header: Header, sizes: number[]): number {
  return sizes[header.colourType] || -1;
}
