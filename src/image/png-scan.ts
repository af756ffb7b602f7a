import { crc32 } from 'node:zlib';
import { ByteScan } from './byte-scan.js';
import { ORIENTATION_TIFF_SIZE, orientationTiff } from './exif-orientation.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/**
 * Ancillary chunks that change how the image shows (colour, transparency, pixel size, APNG
 * frames), kept with every critical one. Every other ancillary chunk is dropped: text (`tEXt`,
 * `zTXt`, `iTXt`, where XMP lives too), `tIME`, `eXIf` (but its Orientation), and private ones.
 */
const KEPT_ANCILLARY = new Set([
  'tRNS',
  'cHRM',
  'gAMA',
  'iCCP',
  'sBIT',
  'sRGB',
  'cICP',
  'mDCV',
  'mDCv',
  'cLLI',
  'cLLi',
  'bKGD',
  'hIST',
  'pHYs',
  'sPLT',
  'acTL',
  'fcTL',
  'fdAT',
]);
/** An `eXIf` chunk of the Orientation alone: length, type, the TIFF, CRC. */
const EXIF_CHUNK_SIZE = 12 + ORIENTATION_TIFF_SIZE;

/** PNG: the signature, then chunks (length, type, data, CRC) up to IEND; nothing after it is kept. */
export class PngScan extends ByteScan {
  #state: 'signature' | 'chunks' | 'after' = 'signature';

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
    if (!this.image) {
      if (type !== 'IHDR' || length < 13) return this.unreadable('a PNG whose first chunk is not its header');
      if (this.available < 16) return false;
      this.sized(buffer.readUInt32BE(cursor + 8), buffer.readUInt32BE(cursor + 12));
      this.keep(total);
      return true;
    }
    if (type === 'IEND') {
      this.keep(total);
      this.#state = 'after';
      return true;
    }
    // Its Orientation alone is kept, in a chunk of its own, where it was.
    if (type === 'eXIf') return this.exifBlock(total, 8, total - 4, exifChunk);
    const critical = type.charCodeAt(0) < 0x61;
    if (!this.strip || critical || KEPT_ANCILLARY.has(type)) this.keep(total);
    else this.drop(total);
    return true;
  }
}

function exifChunk(orientation: Parameters<typeof orientationTiff>[0]): Buffer {
  const chunk = Buffer.alloc(EXIF_CHUNK_SIZE);
  chunk.writeUInt32BE(ORIENTATION_TIFF_SIZE, 0);
  chunk.write('eXIf', 4, 'latin1');
  orientationTiff(orientation).copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + ORIENTATION_TIFF_SIZE)), 8 + ORIENTATION_TIFF_SIZE);
  return chunk;
}
