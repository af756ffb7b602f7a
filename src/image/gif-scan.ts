import { ByteScan } from './byte-scan.js';

const IMAGE = 0x2c;
const EXTENSION = 0x21;
const TRAILER = 0x3b;
const COMMENT = 0xfe;
const APPLICATION = 0xff;
/** Application extensions that change how the GIF plays or shows: looping, and an ICC profile. */
const KEPT_APPLICATIONS = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0', 'ICCRGBG1012']);

/**
 * GIF: a header, the screen descriptor and its colour table, then blocks up to the trailer: images
 * and extensions, each followed by sub-blocks. Dropped: comments, application extensions other
 * than looping and ICC (XMP, IPTC, private ones), and anything after the trailer.
 */
export class GifScan extends ByteScan {
  #state: 'header' | 'block' | 'image' | 'sub-blocks' | 'after' = 'header';
  /** Whether the sub-blocks being walked are kept. */
  #keepingSubBlocks = true;

  protected step(): boolean {
    const { buffer, cursor } = this;
    switch (this.#state) {
      case 'header': {
        if (this.available < 13) return false;
        const version = buffer.toString('latin1', cursor, cursor + 6);
        if (version !== 'GIF87a' && version !== 'GIF89a') return this.unreadable('no GIF header');
        this.sized(buffer.readUInt16LE(cursor + 6), buffer.readUInt16LE(cursor + 8));
        this.keep(13 + colourTableSize(buffer[cursor + 10]!));
        this.#state = this.strip ? 'block' : 'after';
        return true;
      }
      case 'block': {
        if (this.available < 1) return false;
        const introducer = buffer[cursor]!;
        if (introducer === TRAILER) {
          this.keep(1);
          this.#state = 'after';
          return true;
        }
        if (introducer === IMAGE) {
          if (this.available < 10) return false;
          this.keep(10 + colourTableSize(buffer[cursor + 9]!));
          this.#state = 'image';
          return true;
        }
        if (introducer !== EXTENSION) return this.unreadable('a GIF block that cannot be read');
        if (this.available < 2) return false;
        const label = buffer[cursor + 1]!;
        let kept = label !== COMMENT;
        if (label === APPLICATION) {
          // The identifier's own sub-block: its size (11), then 8 + 3 bytes.
          if (this.available < 14) return false;
          kept = KEPT_APPLICATIONS.has(buffer.toString('latin1', cursor + 3, cursor + 14));
        }
        this.#keepingSubBlocks = kept;
        this.keepUnlessDropped(2, kept);
        this.#state = 'sub-blocks';
        return true;
      }
      case 'image':
        // The LZW minimum code size, then the image's sub-blocks.
        if (this.available < 1) return false;
        this.keep(1);
        this.#keepingSubBlocks = true;
        this.#state = 'sub-blocks';
        return true;
      case 'sub-blocks': {
        if (this.available < 1) return false;
        const size = buffer[cursor]!;
        this.keepUnlessDropped(1 + size, this.#keepingSubBlocks);
        if (size === 0) this.#state = 'block';
        return true;
      }
      case 'after':
        if (this.strip) this.dropRest();
        else this.keepRest();
        return false;
    }
  }

  private keepUnlessDropped(n: number, kept: boolean): void {
    if (kept) this.keep(n);
    else this.drop(n);
  }
}

/** Bytes of the colour table a packed-fields byte announces. */
function colourTableSize(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}
