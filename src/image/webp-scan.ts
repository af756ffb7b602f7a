import { ByteScan } from './byte-scan.js';
import { ORIENTATION_TIFF_SIZE, orientationTiff } from './exif-orientation.js';

/** The chunks that draw the image (frames, alpha, animation, colour profile); the rest is dropped. */
const KEPT_CHUNKS = new Set(['VP8X', 'VP8 ', 'VP8L', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);
const EXIF_FLAG = 0x08;
const XMP_FLAG = 0x04;
/** An `EXIF` chunk of the Orientation alone: FourCC, size, the TIFF (even: no padding). */
const EXIF_CHUNK_SIZE = 8 + ORIENTATION_TIFF_SIZE;

/**
 * WebP: a RIFF header, then chunks (FourCC, size, data, padded to even). Dropped: `EXIF` (but its
 * Orientation), `XMP ` and unknown chunks, and anything past the RIFF's size; the RIFF size and
 * VP8X's flags are then rewritten, so the cover settles only at the end of the file.
 */
export class WebpScan extends ByteScan {
  #state: 'header' | 'chunks' | 'after' = 'header';
  /** Where the file's RIFF ends. */
  #riffEnd = 0;
  /** Where VP8X's flags byte is in the cover, if the file has VP8X. */
  #flagsAt = -1;
  #changed = false;

  protected step(): boolean {
    const { buffer, cursor } = this;
    if (this.#state === 'header') {
      if (this.available < 12) return false;
      if (
        buffer.toString('latin1', cursor, cursor + 4) !== 'RIFF' ||
        buffer.toString('latin1', cursor + 8, cursor + 12) !== 'WEBP'
      ) {
        return this.unreadable('no WebP RIFF header');
      }
      this.#riffEnd = 8 + buffer.readUInt32LE(cursor + 4);
      this.keep(12);
      this.#state = 'chunks';
      return true;
    }
    if (this.#state === 'after' || cursor >= this.#riffEnd) {
      this.#state = 'after';
      if (this.strip) {
        if (this.available > 0) this.#changed = true;
        this.dropRest();
      } else this.keepRest();
      return false;
    }
    if (this.available < 8) return false;
    const fourCC = buffer.toString('latin1', cursor, cursor + 4);
    const size = buffer.readUInt32LE(cursor + 4);
    const total = 8 + size + (size & 1);
    if (!this.image && !(fourCC === 'VP8X' || fourCC === 'VP8 ' || fourCC === 'VP8L')) {
      return this.unreadable(`a WebP whose first chunk is ${JSON.stringify(fourCC)}`);
    }
    if (!this.image && !this.#size(fourCC, size)) return false;
    if (this.problem) return false;
    if (fourCC === 'VP8X') this.#flagsAt = this.written + 8;
    if (fourCC === 'EXIF') {
      if (this.strip) this.#changed = true;
      // EXIF belongs to the extended format (VP8X) only.
      return this.exifBlock(total, 8, 8 + size, (o) => (this.#flagsAt >= 0 ? exifChunk(o) : undefined));
    }
    if (!this.strip || KEPT_CHUNKS.has(fourCC)) this.keep(total);
    else {
      this.#changed = true;
      this.drop(total);
    }
    return true;
  }

  /** The canvas size, from the first chunk; false when its bytes have not all arrived. */
  #size(fourCC: string, size: number): boolean {
    const { buffer } = this;
    const data = this.cursor + 8;
    if (fourCC === 'VP8X') {
      if (size < 10) return this.unreadable('a WebP VP8X chunk too short');
      if (this.available < 18) return false;
      this.sized(1 + buffer.readUIntLE(data + 4, 3), 1 + buffer.readUIntLE(data + 7, 3));
    } else if (fourCC === 'VP8 ') {
      if (size < 10) return this.unreadable('a WebP VP8 frame too short');
      if (this.available < 18) return false;
      if (buffer[data + 3] !== 0x9d || buffer[data + 4] !== 0x01 || buffer[data + 5] !== 0x2a)
        return this.unreadable('a WebP VP8 frame without its start code');
      this.sized(buffer.readUInt16LE(data + 6) & 0x3fff, buffer.readUInt16LE(data + 8) & 0x3fff);
    } else {
      if (size < 5) return this.unreadable('a WebP VP8L frame too short');
      if (this.available < 13) return false;
      if (buffer[data] !== 0x2f) return this.unreadable('a WebP VP8L frame without its signature');
      const bits = buffer.readUInt32LE(data + 1);
      this.sized(1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff));
    }
    return this.problem === undefined;
  }

  /** The RIFF size and VP8X's flags change with what was dropped: nothing settles before the end. */
  protected override settle(): void {
    if (!this.strip) this.settled = this.written;
  }

  protected override atEnd(): void {
    super.atEnd();
    if (this.problem || !this.strip || !this.#changed) return;
    this.buffer.writeUInt32LE(this.written - 8, 4);
    if (this.#flagsAt >= 0) {
      const flags = this.buffer[this.#flagsAt]! & ~XMP_FLAG & ~EXIF_FLAG;
      this.buffer[this.#flagsAt] = flags | (this.orientationWritten ? EXIF_FLAG : 0);
    }
  }
}

function exifChunk(orientation: Parameters<typeof orientationTiff>[0]): Buffer {
  const chunk = Buffer.alloc(EXIF_CHUNK_SIZE);
  chunk.write('EXIF', 0, 'latin1');
  chunk.writeUInt32LE(ORIENTATION_TIFF_SIZE, 4);
  orientationTiff(orientation).copy(chunk, 8);
  return chunk;
}
