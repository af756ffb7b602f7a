import { ByteScan } from './byte-scan.js';
import { EXIF_PREFIX, ORIENTATION_TIFF_SIZE, orientationTiff } from './exif-orientation.js';
import { declaredIccSize } from './icc-profile.js';
import { SCAN_BOUNDS, formatCount } from './scan-bounds.js';

const ANIMATION_FLAG = 0x02;
const XMP_FLAG = 0x04;
const EXIF_FLAG = 0x08;
const ALPHA_FLAG = 0x10;
const ICCP_FLAG = 0x20;
/** libwebp's demuxer refuses a VP8X with any other flag set. */
const KNOWN_FLAGS = ANIMATION_FLAG | XMP_FLAG | EXIF_FLAG | ALPHA_FLAG | ICCP_FLAG;
const VP8X_SIZE = 10;
const ANIM_SIZE = 6;
/** An ANMF chunk's own fields: x / 2, y / 2, width - 1, height - 1, duration (3 bytes each), flags. */
const ANMF_FIELDS = 16;
/** An `EXIF` chunk of the Orientation alone: FourCC, size, the TIFF (even: no padding). */
const EXIF_CHUNK_SIZE = 8 + ORIENTATION_TIFF_SIZE;

/** The ANMF chunk being walked: in the file (start, size, end), in the cover (at), and on the canvas. */
interface Frame {
  start: number;
  size: number;
  end: number;
  padding: number;
  at: number;
  x: number;
  y: number;
  alpha: boolean;
  image: boolean;
}

/**
 * WebP: a RIFF header, then chunks (FourCC, size, data, padded to even), as libwebp's demuxer
 * reads them (libvips, Chromium). In every mode: the canvas and every frame count against the
 * pixel limit, a still image is the canvas's size and an animation's frames lie within it (libwebp
 * refuses others), frames and chunks are within {@link SCAN_BOUNDS}, and the EXIF Orientation is
 * the first EXIF chunk's when VP8X's EXIF flag is on (none otherwise). Stripping keeps what
 * decoding needs: VP8X (its 10 bytes), the first ICCP when its flag is on (cut to the profile's
 * declared size), ANIM (its 6 bytes) and ANMF frames of an animation, each frame's ALPH and
 * VP8/VP8L, a still image's ALPH when its flag is on, and the Orientation alone; dropped are
 * `EXIF`, `XMP `, unknown chunks (in frames too), and anything past the RIFF's size. The RIFF size,
 * the frames' sizes and VP8X's flags are then rewritten, so the cover settles only at the end.
 */
export class WebpScan extends ByteScan {
  #state: 'header' | 'chunks' | 'frame' | 'after' = 'header';
  /** Where the file's RIFF ends, and (once reached) where that is in the cover. */
  #riffEnd = 0;
  #riffEndInCover: number | undefined;
  /** VP8X's flags (undefined: the simple format) and where they are in the cover. */
  #flags: number | undefined;
  #flagsAt = 0;
  #frame: Frame | undefined;
  #frames = 0;
  #chunks = 0;
  /** VP8 or VP8L bitstreams met: a still image's, or its frames'. */
  #images = 0;
  /** Chunk types kept at the top level (the first of each is the one decoders read). */
  #kept = new Set<string>();

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
    if (this.#state === 'frame') return this.#frameChunk();
    if (this.#state === 'after' || cursor >= this.#riffEnd) {
      if (this.#state !== 'after') this.#riffEndInCover = this.written;
      this.#state = 'after';
      if (this.strip) this.dropRest();
      else this.keepRest();
      return false;
    }
    if (this.available < 8) return false;
    const fourCC = buffer.toString('latin1', cursor, cursor + 4);
    const size = buffer.readUInt32LE(cursor + 4);
    const total = 8 + size + (size & 1);
    if (cursor + total > this.#riffEnd) return this.unreadable(`a WebP chunk "${fourCC}" past the end of its RIFF`);
    if (this.available < Math.min(total, headBytes(fourCC, total))) return false;
    if (!this.image) return this.#first(fourCC, size, total);
    if (fourCC === 'ANMF') return this.#animationFrame(size, total);
    if (++this.#chunks > SCAN_BOUNDS.otherUnits) {
      return this.unreadable(`a WebP of more than ${formatCount(SCAN_BOUNDS.otherUnits)} chunks`);
    }
    const flags = this.#flags ?? 0;
    const animated = (flags & ANIMATION_FLAG) !== 0;
    switch (fourCC) {
      case 'VP8 ':
      case 'VP8L':
        return this.#stillImage(fourCC, size, total, animated);
      case 'EXIF': {
        const prefixed = buffer.subarray(cursor + 8, cursor + 8 + EXIF_PREFIX.length).equals(EXIF_PREFIX);
        const tiffFrom = 8 + (prefixed ? EXIF_PREFIX.length : 0);
        return this.exifBlock(total, tiffFrom, 8 + size, (flags & EXIF_FLAG) !== 0, exifChunk);
      }
      case 'ICCP':
        if (this.strip && flags & ICCP_FLAG && !this.#kept.has(fourCC)) return this.#iccProfile(size, total);
        break;
      case 'ANIM':
        if (size < ANIM_SIZE) return this.unreadable('a WebP ANIM chunk too short');
        if (this.strip && animated && !this.#kept.has(fourCC)) return this.#trimmed(fourCC, ANIM_SIZE, total);
        break;
      case 'ALPH':
        // libwebp reads a still image's alpha only with the ALPHA flag on, and before the image.
        if (this.strip && flags & ALPHA_FLAG && !animated && !this.#kept.has(fourCC) && !this.#kept.has('image')) {
          return this.#keptWhole(fourCC, total);
        }
        break;
    }
    this.keepUnlessStripping(total);
    return true;
  }

  /** The first chunk: VP8X (the canvas and the features) or, in the simple format, the image. */
  #first(fourCC: string, size: number, total: number): boolean {
    if (fourCC === 'VP8 ' || fourCC === 'VP8L') {
      const frame = this.#bitstreamSize(fourCC, size);
      if (!frame) return false;
      this.sized(frame.width, frame.height);
      this.#kept.add('image');
      this.#images++;
      this.keep(total);
      return this.problem === undefined;
    }
    if (fourCC !== 'VP8X') return this.unreadable(`a WebP whose first chunk is ${JSON.stringify(fourCC)}`);
    if (size < VP8X_SIZE) return this.unreadable('a WebP VP8X chunk too short');
    const data = this.cursor + 8;
    const flags = this.buffer[data]!;
    if (flags & ~KNOWN_FLAGS) return this.unreadable(`a WebP with unknown feature flags 0x${flags.toString(16)}`);
    this.#flags = flags;
    this.#flagsAt = this.written + 8;
    this.sized(1 + this.buffer.readUIntLE(data + 4, 3), 1 + this.buffer.readUIntLE(data + 7, 3));
    if (this.problem) return false;
    if (this.strip) return this.#trimmed('VP8X', VP8X_SIZE, total);
    this.keep(total);
    return true;
  }

  /** A top-level image: a still image's only one, the canvas's size. */
  #stillImage(fourCC: string, size: number, total: number, animated: boolean): boolean {
    if (animated) return this.unreadable('an animated WebP with an image outside its frames');
    if (this.#kept.has('image')) return this.unreadable('a WebP with a second image');
    const frame = this.#bitstreamSize(fourCC, size);
    if (!frame || !this.counted(frame.width, frame.height)) return false;
    if (frame.width !== this.width || frame.height !== this.height) {
      return this.unreadable(
        `a WebP image of ${frame.width} × ${frame.height} on a canvas of ${this.width} × ${this.height}`,
      );
    }
    this.#images++;
    return this.#keptWhole('image', total);
  }

  /** An ANMF chunk: one more frame; its own chunks follow (state 'frame'). */
  #animationFrame(size: number, total: number): boolean {
    if (++this.#frames > SCAN_BOUNDS.frames) {
      return this.unreadable(`an animated WebP of more than ${formatCount(SCAN_BOUNDS.frames)} frames`);
    }
    if (!((this.#flags ?? 0) & ANIMATION_FLAG)) {
      // Without the animation flag, decoders skip every frame.
      this.keepUnlessStripping(total);
      return true;
    }
    if (size < ANMF_FIELDS) return this.unreadable('a WebP ANMF chunk too short');
    const data = this.cursor + 8;
    const field = (at: number) => this.buffer.readUIntLE(data + at, 3);
    if (!this.counted(1 + field(6), 1 + field(9))) return false;
    this.#frame = {
      start: this.cursor,
      size,
      end: this.cursor + 8 + size,
      padding: size & 1,
      at: this.written,
      x: 2 * field(0),
      y: 2 * field(3),
      alpha: false,
      image: false,
    };
    this.keep(8 + ANMF_FIELDS);
    this.#state = 'frame';
    return true;
  }

  /** A chunk inside an ANMF: its ALPH and VP8/VP8L are kept; anything else is not part of the frame. */
  #frameChunk(): boolean {
    const frame = this.#frame!;
    if (this.cursor >= frame.end) {
      if (!frame.image) return this.unreadable('a WebP animation frame without an image');
      if (this.strip) {
        this.buffer.writeUInt32LE(this.written - frame.at - 8, frame.at + 4);
        this.drop(frame.padding);
      } else this.keep(frame.padding);
      this.#state = 'chunks';
      return true;
    }
    if (this.available < 8) return false;
    const fourCC = this.buffer.toString('latin1', this.cursor, this.cursor + 4);
    const size = this.buffer.readUInt32LE(this.cursor + 4);
    const total = 8 + size + (size & 1);
    if (this.cursor + total > frame.end) return this.unreadable(`a WebP chunk "${fourCC}" past the end of its frame`);
    if (this.available < Math.min(total, headBytes(fourCC, total))) return false;
    if (fourCC === 'VP8 ' || fourCC === 'VP8L') {
      if (frame.image) return this.unreadable('a WebP animation frame with a second image');
      if (fourCC === 'VP8L' && frame.alpha) return this.unreadable('a WebP lossless frame with an ALPH chunk');
      const image = this.#bitstreamSize(fourCC, size);
      if (!image || !this.counted(image.width, image.height)) return false;
      if (frame.x + image.width > this.width || frame.y + image.height > this.height) {
        return this.unreadable(
          `a WebP animation frame of ${image.width} × ${image.height} at ${frame.x}, ${frame.y} outside its ${this.width} × ${this.height} canvas`,
        );
      }
      frame.image = true;
      this.#images++;
      this.keep(total);
      return true;
    }
    if (++this.#chunks > SCAN_BOUNDS.otherUnits) {
      return this.unreadable(`a WebP of more than ${formatCount(SCAN_BOUNDS.otherUnits)} chunks`);
    }
    if (fourCC === 'ALPH' && !frame.alpha && !frame.image) {
      frame.alpha = true;
      this.keep(total);
    } else this.keepUnlessStripping(total);
    return true;
  }

  /** A frame's size, from its VP8 or VP8L bitstream header; undefined while it has not arrived, or refused. */
  #bitstreamSize(fourCC: string, size: number): { width: number; height: number } | undefined {
    const { buffer } = this;
    const data = this.cursor + 8;
    if (fourCC === 'VP8 ') {
      if (size < 10) return void this.unreadable('a WebP VP8 frame too short');
      if (this.available < 18) return undefined;
      if (buffer[data + 3] !== 0x9d || buffer[data + 4] !== 0x01 || buffer[data + 5] !== 0x2a)
        return void this.unreadable('a WebP VP8 frame without its start code');
      return { width: buffer.readUInt16LE(data + 6) & 0x3fff, height: buffer.readUInt16LE(data + 8) & 0x3fff };
    }
    if (size < 5) return void this.unreadable('a WebP VP8L frame too short');
    if (this.available < 13) return undefined;
    if (buffer[data] !== 0x2f) return void this.unreadable('a WebP VP8L frame without its signature');
    const bits = buffer.readUInt32LE(data + 1);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }

  /** Keeps a whole chunk, the first of its type decoders read. */
  #keptWhole(type: string, total: number): boolean {
    this.#kept.add(type);
    this.keep(total);
    return true;
  }

  /** Keeps the first `size` bytes of a fixed-size chunk's data: decoders skip whatever follows them. */
  #trimmed(type: string, size: number, total: number): boolean {
    this.buffer.writeUInt32LE(size, this.cursor + 4);
    this.#kept.add(type);
    this.keep(8 + size);
    this.drop(total - 8 - size);
    return true;
  }

  /** The ICC profile, cut to its declared size; one shorter than that, no colour engine reads, so it goes. */
  #iccProfile(size: number, total: number): boolean {
    const declared = declaredIccSize(this.buffer.subarray(this.cursor + 8, this.cursor + 8 + size));
    if (declared === undefined || declared > size) {
      this.drop(total);
      return true;
    }
    this.buffer.writeUInt32LE(declared, this.cursor + 4);
    this.#kept.add('ICCP');
    this.keep(8 + declared);
    this.drop(total - 8 - declared);
    // Chunks are padded to an even size: the byte comes from those just dropped.
    if (declared & 1) this.insert(Buffer.alloc(1));
    return true;
  }

  /** The RIFF size and VP8X's flags change with what was dropped: nothing settles before the end. */
  protected override settle(): void {
    if (!this.strip) this.settled = this.written;
  }

  /**
   * Stripping, the sizes that held what was dropped are rewritten: the RIFF's and (in a file cut
   * short inside a frame) the frame's. A file cut short stays so: each loses only what was dropped.
   */
  protected override atEnd(): void {
    super.atEnd();
    if (this.problem === undefined && this.#images === 0) this.unreadable('a WebP without an image');
    if (this.problem || !this.strip) return;
    const { buffer } = this;
    let riffSize =
      this.#riffEndInCover === undefined ? this.#riffEnd - 8 - (this.end - this.written) : this.#riffEndInCover - 8;
    if (this.#state === 'frame') {
      const frame = this.#frame!;
      const size = frame.size - (this.end - frame.start - (this.written - frame.at));
      buffer.writeUInt32LE(size, frame.at + 4);
      // Its padding byte, if its size is now odd, is within the RIFF too.
      riffSize += (size & 1) - frame.padding;
    }
    buffer.writeUInt32LE(riffSize, 4);
    if (this.#flags === undefined) return;
    let flags = this.#flags & ~XMP_FLAG & ~EXIF_FLAG;
    if (!this.#kept.has('ICCP')) flags &= ~ICCP_FLAG;
    if (this.orientationWritten) flags |= EXIF_FLAG;
    this.buffer[this.#flagsAt] = flags;
  }
}

/**
 * Bytes of a chunk judged at once, so that it is counted once however its bytes arrive: an image's
 * bitstream header, an ANMF's own fields, any other chunk whole (the file is in memory anyway).
 */
function headBytes(fourCC: string, total: number): number {
  if (fourCC === 'VP8 ') return 8 + 10;
  if (fourCC === 'VP8L') return 8 + 5;
  if (fourCC === 'ANMF') return 8 + ANMF_FIELDS;
  return total;
}

function exifChunk(orientation: Parameters<typeof orientationTiff>[0]): Buffer {
  const chunk = Buffer.alloc(EXIF_CHUNK_SIZE);
  chunk.write('EXIF', 0, 'latin1');
  chunk.writeUInt32LE(ORIENTATION_TIFF_SIZE, 4);
  orientationTiff(orientation).copy(chunk, 8);
  return chunk;
}
