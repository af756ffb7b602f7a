import { PassThroughScan } from './pass-through-scan.js';
import { SCAN_BOUNDS, formatCount } from './scan-bounds.js';

/** The boxes walked to the image sizes: meta (a full box) › iprp › ipco › every ispe. */
const PATH = ['meta', 'iprp', 'ipco'] as const;
/** Bytes of a full box's version and flags, before its own fields. */
const FULL_BOX = 4;

/**
 * AVIF and HEIC (ISO-BMFF, HEIF): boxes of a size and a type, some holding boxes. Every image
 * spatial extent (`ispe`: an item's width and height, each tile's and the grid's alike) counts
 * against the pixel limit, found on the one path meta › iprp › ipco (so nesting is at most four
 * deep), among at most {@link SCAN_BOUNDS} boxes walked. A box past the end of its container is
 * refused, but at the top, where it is a file cut short: the decoder says what is missing.
 */
export class BmffScan extends PassThroughScan {
  #boxes = 0;

  protected judge(file: Buffer): void {
    this.#walk(file, 0, file.length, 0);
  }

  /** The boxes of `[from, to)`, `depth` containers down the path; false once refused. */
  #walk(file: Buffer, from: number, to: number, depth: number): boolean {
    for (let at = from; at < to; ) {
      if (++this.#boxes > SCAN_BOUNDS.otherUnits) {
        return this.unreadable(`a HEIF file of more than ${formatCount(SCAN_BOUNDS.otherUnits)} boxes`);
      }
      let header = 8;
      let size = at + 8 <= to ? file.readUInt32BE(at) : -1;
      if (size === 1) {
        header = 16;
        size = at + 16 <= to ? file.readUInt32BE(at + 8) * 2 ** 32 + file.readUInt32BE(at + 12) : -1;
      } else if (size === 0) size = to - at;
      const type = file.toString('latin1', at + 4, Math.min(at + 8, to));
      if (size < header || at + size > to) {
        return depth === 0 || this.unreadable(`a HEIF box "${type}" past the end of its container`);
      }
      const body = at + header;
      if (type === PATH[depth]) {
        const children = depth === 0 ? body + FULL_BOX : body;
        if (!this.#walk(file, Math.min(children, at + size), at + size, depth + 1)) return false;
      } else if (type === 'ispe' && depth === PATH.length) {
        if (size < header + FULL_BOX + 8) return this.unreadable('a HEIF image extent (ispe) too short');
        if (!this.counted(file.readUInt32BE(body + FULL_BOX), file.readUInt32BE(body + FULL_BOX + 4))) return false;
      }
      at += size;
    }
    return true;
  }
}
