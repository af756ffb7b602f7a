import { ByteScan } from './byte-scan.js';
import { declaredIccSize } from './icc-profile.js';
import { SCAN_BOUNDS, formatCount } from './scan-bounds.js';

const IMAGE = 0x2c;
const EXTENSION = 0x21;
const TRAILER = 0x3b;
const GRAPHIC_CONTROL = 0xf9;
const APPLICATION = 0xff;
/** Application extensions of a loop count: `NETSCAPE2.0` and `ANIMEXTS1.0`, then sub-block 1. */
const LOOPS = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0']);
const ICC = 'ICCRGBG1012';
/**
 * Logical screens libnsgif takes for "the screen size they were created in" rather than the
 * image's: it shows such a GIF at its first frame's size.
 */
const CREATION_SCREENS = new Set(['640x480', '640x512', '800x600', '1024x768', '1280x1024', '1600x1200']);

/**
 * GIF: a header, the screen descriptor and its colour table, then blocks up to the trailer: images
 * (frames) and extensions, each followed by sub-blocks. In every mode: the screen and every frame
 * count against the pixel limit, the size answered is the one libnsgif (libvips, so sharp) shows,
 * and frames and extensions are within {@link SCAN_BOUNDS}. Stripping keeps what decoding needs:
 * the frames, each graphic control's 4 bytes, the loop count's sub-block, and an ICC profile cut to
 * its declared size; dropped are comments, plain text, every other application or unknown
 * extension, the sub-blocks decoders skip after those they read, and anything after the trailer.
 */
export class GifScan extends ByteScan {
  #state: 'header' | 'block' | 'image' | 'sub-blocks' | 'after' = 'header';
  #screen = { width: 0, height: 0 };
  #frames = 0;
  #controls = 0;
  #extensions = 0;
  /** Whether the sub-blocks being walked are kept, and how many of their data bytes at most. */
  #keeping = true;
  #budget = 0;

  protected step(): boolean {
    const { buffer, cursor } = this;
    switch (this.#state) {
      case 'header': {
        if (this.available < 13) return false;
        const version = buffer.toString('latin1', cursor, cursor + 6);
        if (version !== 'GIF87a' && version !== 'GIF89a') return this.unreadable('no GIF header');
        this.#screen = { width: buffer.readUInt16LE(cursor + 6), height: buffer.readUInt16LE(cursor + 8) };
        // Chromium draws on a canvas of the screen's size: it counts, as the frames do.
        if (!this.counted(this.#screen.width, this.#screen.height)) return false;
        this.keep(13 + colourTableSize(buffer[cursor + 10]!));
        this.#state = 'block';
        return true;
      }
      case 'block':
        return this.#block();
      case 'image':
        // The LZW minimum code size, then the image's sub-blocks, all kept.
        if (this.available < 1) return false;
        this.keep(1);
        this.#subBlocks(true, Number.MAX_SAFE_INTEGER);
        return true;
      case 'sub-blocks':
        return this.#subBlock();
      case 'after':
        if (this.strip) this.dropRest();
        else this.keepRest();
        return false;
    }
  }

  protected override atEnd(): void {
    if (!this.image)
      this.unreadable(this.#state === 'after' ? 'a GIF without any image' : 'the file ends before the image size');
  }

  #block(): boolean {
    const { buffer, cursor } = this;
    if (this.available < 1) return false;
    const introducer = buffer[cursor]!;
    if (introducer === TRAILER) {
      this.keep(1);
      this.#state = 'after';
      return true;
    }
    if (introducer === IMAGE) return this.#frame();
    if (introducer !== EXTENSION) return this.unreadable('a GIF block that cannot be read');
    if (this.available < 3) return false;
    const label = buffer[cursor + 1]!;
    // Stripping, a graphic control's first sub-block is cut to 4 bytes: all of it here first.
    if (label === GRAPHIC_CONTROL && this.strip && this.available < 3 + buffer[cursor + 2]!) return false;
    if (label === APPLICATION && this.strip && buffer[cursor + 2] === 11) {
      // The identifier's own sub-block (its size, 11, then 8 + 3 bytes), then up to 4 bytes of the
      // first data sub-block: all here before the extension is counted (once, however bytes arrive).
      if (this.available < 15 || this.available < 15 + Math.min(buffer[cursor + 14]!, 4)) return false;
    }
    if (label === GRAPHIC_CONTROL) {
      if (++this.#controls > SCAN_BOUNDS.frames) {
        return this.unreadable(`a GIF of more than ${formatCount(SCAN_BOUNDS.frames)} graphic controls`);
      }
      // Decoders read the 4 bytes after the block size, whatever it says: fewer, and it is dropped.
      return this.#extension(2, buffer[cursor + 2]! >= 4 ? 4 : undefined);
    }
    if (++this.#extensions > SCAN_BOUNDS.otherUnits) {
      return this.unreadable(`a GIF of more than ${formatCount(SCAN_BOUNDS.otherUnits)} extensions`);
    }
    if (label !== APPLICATION || !this.strip) return this.#extension(2, undefined);
    if (buffer[cursor + 2] !== 11) return this.#extension(2, undefined);
    const id = buffer.toString('latin1', cursor + 3, cursor + 14);
    const first = { size: buffer[cursor + 14]!, data: buffer.subarray(cursor + 15, cursor + 19) };
    if (LOOPS.has(id)) return this.#extension(14, first.size >= 3 && first.data[0] === 1 ? 3 : undefined);
    if (id === ICC) return this.#extension(14, first.size >= 4 ? declaredIccSize(first.data) : undefined);
    return this.#extension(2, undefined);
  }

  /** An image descriptor: one more frame; the first one sets the size shown. */
  #frame(): boolean {
    const { buffer, cursor } = this;
    if (this.available < 10) return false;
    if (++this.#frames > SCAN_BOUNDS.frames) {
      return this.unreadable(`a GIF of more than ${formatCount(SCAN_BOUNDS.frames)} frames`);
    }
    const [x, y, width, height] = [1, 3, 5, 7].map((at) => buffer.readUInt16LE(cursor + at)) as [
      number,
      number,
      number,
      number,
    ];
    if (!this.counted(width, height)) return false;
    if (this.#frames === 1) {
      // libnsgif: the screen (1 × 1 for a "creation" screen, an empty one, or one past 2048),
      // grown to hold the first frame; Chromium's reader takes the first frame's size when it is
      // the larger. Both allocate what this counts.
      const { width: sw, height: sh } = this.#screen;
      const creation = CREATION_SCREENS.has(`${sw}x${sh}`) || sw === 0 || sh === 0 || sw > 2048 || sh > 2048;
      this.sized(Math.max(creation ? 1 : sw, x + width), Math.max(creation ? 1 : sh, y + height));
      if (this.problem) return false;
    }
    this.keep(10 + colourTableSize(buffer[cursor + 9]!));
    this.#state = 'image';
    return true;
  }

  /**
   * An extension whose first `head` bytes (introducer, label, maybe an identifier) are kept, and
   * then at most `budget` bytes of its data sub-blocks; with no budget, the whole extension is
   * dropped. Keeping every byte, it is all kept.
   */
  #extension(head: number, budget: number | undefined): boolean {
    const kept = !this.strip || budget !== undefined;
    if (kept) this.keep(head);
    else this.drop(head);
    this.#subBlocks(kept, this.strip ? (budget ?? 0) : Number.MAX_SAFE_INTEGER);
    return true;
  }

  #subBlocks(kept: boolean, budget: number): void {
    this.#keeping = kept;
    this.#budget = budget;
    this.#state = 'sub-blocks';
  }

  /** One sub-block: its size, then that many bytes; size 0 ends the block. */
  #subBlock(): boolean {
    if (this.available < 1) return false;
    const size = this.buffer[this.cursor]!;
    if (size === 0) {
      if (this.#keeping) this.keep(1);
      else this.drop(1);
      this.#state = 'block';
      return true;
    }
    if (!this.#keeping || this.#budget === 0) {
      this.drop(1 + size);
      return true;
    }
    if (this.#budget >= size) {
      this.#budget -= size;
      this.keep(1 + size);
      return true;
    }
    // The last bytes decoders read: the sub-block is cut there, its size rewritten.
    if (this.available < 1 + size) return false;
    const kept = this.#budget;
    this.#budget = 0;
    this.buffer[this.cursor] = kept;
    this.keep(1 + kept);
    this.drop(size - kept);
    return true;
  }
}

/** Bytes of the colour table a packed-fields byte announces. */
function colourTableSize(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}
