import { ByteScan } from './byte-scan.js';
import { declaredIccSize } from './icc-profile.js';

/** DIB header sizes decoders read: OS/2 1.x, OS/2 2.x (short and full), Windows 3 to 5. */
const DIB_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const BIT_COUNTS = new Set([1, 2, 4, 8, 16, 24, 32]);
/** Compressions Chromium and Firefox decode: none, RLE8, RLE4, bit fields, bit fields with alpha. */
const RGB = 0;
const RLE8 = 1;
const RLE4 = 2;
const BITFIELDS = 3;
const ALPHABITFIELDS = 6;
/** A v5 header's colour space: a profile in the file (`MBED`), one named by a path (`LINK`), sRGB. */
const PROFILE_EMBEDDED = 0x4d424544;
const PROFILE_LINKED = 0x4c494e4b;
const LCS_SRGB = 0x73524742;
const V5 = 124;

/** The layout the header declares, in the file. */
interface Layout {
  /** End of the file header, DIB header, its masks and its colour table. */
  headerEnd: number;
  /** Where the pixels start. */
  pixels: number;
  /** Bytes of uncompressed pixels, or -1 for RLE (found by walking it). */
  pixelBytes: number;
  bitCount: number;
  /** Entries of the colour table kept (decoders read at most 2^bitCount, and none past 8 bits). */
  paletteEntries: number;
  /** The header's count of colours used, rewritten to the entries kept (0 still meaning 2^bitCount). */
  coloursUsed: number;
  dibSize: number;
}

/**
 * BMP: a file header, a DIB header with the size, its colour masks and table, then the pixels (and
 * a v5 header's ICC profile). In every mode the header must be one decoders read, of a compression
 * they decode. Stripping keeps what decoding needs: the headers, masks and colour table, the
 * pixels, and an embedded ICC profile cut to its declared size; dropped are the gap before the
 * pixels, anything after them, the reserved fields' bytes, a colour table a true-colour image does
 * not use, and a linked profile's path. Its offsets and sizes are then rewritten, so a stripped BMP
 * is laid out at the end of the file (it is no larger than the upload limit).
 */
export class BmpScan extends ByteScan {
  #layout: Layout | undefined;

  protected step(): boolean {
    if (this.#layout) {
      if (!this.strip) this.keepRest();
      return false;
    }
    const { buffer, cursor } = this;
    if (this.available < 18) return false;
    if (buffer[cursor] !== 0x42 || buffer[cursor + 1] !== 0x4d) return this.unreadable('no BMP header');
    const dibSize = buffer.readUInt32LE(cursor + 14);
    if (!DIB_SIZES.has(dibSize)) return this.unreadable(`a BMP header of ${dibSize} bytes`);
    if (this.available < 14 + dibSize) return false;
    const core = dibSize === 12;
    const width = core ? buffer.readUInt16LE(18) : buffer.readInt32LE(18);
    // A negative height is a top-down bitmap.
    const height = core ? buffer.readUInt16LE(20) : Math.abs(buffer.readInt32LE(22));
    const bitCount = buffer.readUInt16LE(core ? 24 : 28);
    const compression = dibSize >= 20 ? buffer.readUInt32LE(30) : RGB;
    this.sized(width, height);
    if (this.problem) return false;
    if (!BIT_COUNTS.has(bitCount)) return this.unreadable(`a BMP of ${bitCount} bits per pixel`);
    const fits =
      compression === RGB ||
      (compression === RLE8 && bitCount === 8) ||
      (compression === RLE4 && bitCount === 4) ||
      ((compression === BITFIELDS || compression === ALPHABITFIELDS) && (bitCount === 16 || bitCount === 32));
    if (!fits) return this.unreadable(`a BMP of compression ${compression} at ${bitCount} bits per pixel`);
    const masks =
      dibSize === 40 && compression === BITFIELDS ? 12 : dibSize === 40 && compression === ALPHABITFIELDS ? 16 : 0;
    const used = dibSize >= 36 ? buffer.readUInt32LE(46) : 0;
    const paletteEntries = bitCount <= 8 ? Math.min(used || 2 ** bitCount, 2 ** bitCount) : 0;
    const declaredEntries = bitCount <= 8 ? used || 2 ** bitCount : used;
    const headerEnd = 14 + dibSize + masks;
    const declaredEnd = headerEnd + declaredEntries * (core ? 3 : 4);
    const offset = buffer.readUInt32LE(10);
    if (offset !== 0 && offset < headerEnd + paletteEntries * (core ? 3 : 4)) {
      return this.unreadable('a BMP whose pixels start inside its header');
    }
    const rowBytes = Math.ceil((bitCount * width) / 32) * 4;
    this.#layout = {
      headerEnd: headerEnd + paletteEntries * (core ? 3 : 4),
      pixels: offset === 0 ? declaredEnd : offset,
      pixelBytes: compression === RLE8 || compression === RLE4 ? -1 : rowBytes * height,
      bitCount,
      paletteEntries,
      coloursUsed: bitCount <= 8 && used === 0 ? 0 : paletteEntries,
      dibSize,
    };
    return true;
  }

  /** Stripping, the file is laid out anew once all of it is here: its header first, rewritten. */
  protected override atEnd(): void {
    super.atEnd();
    const layout = this.#layout;
    if (this.problem || !this.strip || !layout) return;
    const { buffer, end } = this;
    const pixelsFrom = Math.min(layout.pixels, end);
    const pixelsTo =
      layout.pixelBytes < 0
        ? rleEnd(buffer, pixelsFrom, end, layout.bitCount)
        : Math.min(pixelsFrom + layout.pixelBytes, end);
    const profile = layout.dibSize === V5 ? this.#profile(pixelsTo) : undefined;
    const size = layout.headerEnd + (pixelsTo - pixelsFrom) + (profile ? profile.to - profile.from : 0);
    buffer.writeUInt32LE(size, 2);
    buffer.writeUInt32LE(0, 6);
    buffer.writeUInt32LE(layout.headerEnd, 10);
    if (layout.dibSize >= 36) buffer.writeUInt32LE(layout.coloursUsed, 46);
    if (layout.dibSize === V5) {
      const colourSpace = buffer.readUInt32LE(14 + 56);
      if (profile) {
        buffer.writeUInt32LE(layout.headerEnd + (pixelsTo - pixelsFrom) - 14, 14 + 112);
        buffer.writeUInt32LE(profile.to - profile.from, 14 + 116);
      } else if (colourSpace === PROFILE_EMBEDDED || colourSpace === PROFILE_LINKED) {
        buffer.writeUInt32LE(LCS_SRGB, 14 + 56);
        buffer.fill(0, 14 + 112, 14 + 120);
      }
      buffer.fill(0, 14 + 120, 14 + 124);
    }
    this.keep(layout.headerEnd);
    this.drop(pixelsFrom - layout.headerEnd);
    this.keep(pixelsTo - pixelsFrom);
    if (profile) {
      this.drop(profile.from - pixelsTo);
      this.keep(profile.to - profile.from);
    }
    this.dropRest();
  }

  /** A v5 header's embedded profile, when it follows the pixels: cut to its declared size. */
  #profile(pixelsTo: number): { from: number; to: number } | undefined {
    const { buffer, end } = this;
    if (buffer.readUInt32LE(14 + 56) !== PROFILE_EMBEDDED) return undefined;
    const from = 14 + buffer.readUInt32LE(14 + 112);
    const size = buffer.readUInt32LE(14 + 116);
    if (from < pixelsTo || from >= end) return undefined;
    const declared = declaredIccSize(buffer.subarray(from, Math.min(from + size, end)));
    if (declared === undefined || declared > size || from + declared > end) return undefined;
    return { from, to: from + declared };
  }

  /** Stripping, the header changes at the end: nothing settles before it. */
  protected override settle(): void {
    if (!this.strip) this.settled = this.written;
  }
}

/**
 * Where RLE8 or RLE4 pixels end: after their end-of-bitmap code (0, 1), where decoders stop; the
 * end of the file when there is none.
 */
function rleEnd(bytes: Buffer, from: number, end: number, bitCount: number): number {
  let at = from;
  while (at + 1 < end) {
    const count = bytes[at]!;
    const code = bytes[at + 1]!;
    at += 2;
    if (count > 0 || code === 0) continue;
    if (code === 1) return at;
    if (code === 2) at += 2;
    else {
      // An absolute run of `code` pixels, padded to 16 bits.
      const length = bitCount === 8 ? code : Math.ceil(code / 2);
      at += length + (length & 1);
    }
  }
  return end;
}
