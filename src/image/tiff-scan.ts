import { PassThroughScan } from './pass-through-scan.js';
import { SCAN_BOUNDS, formatCount } from './scan-bounds.js';

const IMAGE_WIDTH = 256;
const IMAGE_LENGTH = 257;
const SHORT = 3;
const LONG = 4;

/**
 * TIFF: a header pointing to a chain of directories (IFDs), each a count, 12-byte entries and the
 * next one's offset. Every directory's ImageWidth × ImageLength counts against the pixel limit (a
 * page libvips may load); the chain is followed to its end, at most {@link SCAN_BOUNDS} long, and
 * a loop in it refused. The first directory must be there, with its size; a later one past the
 * end of the file ends the chain, as it does for libtiff.
 */
export class TiffScan extends PassThroughScan {
  protected judge(file: Buffer): void {
    this.#directories(file);
  }

  /** Walks the chain of directories; false once refused. */
  #directories(file: Buffer): boolean {
    if (file.length < 8) return this.unreadable('the file ends before the TIFF header');
    const little = file[0] === 0x49;
    const u16 = (at: number) => (little ? file.readUInt16LE(at) : file.readUInt16BE(at));
    const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
    const visited = new Set<number>();
    for (let offset = u32(4); offset !== 0; ) {
      const first = visited.size === 0;
      if (visited.size === SCAN_BOUNDS.tiffDirectories) {
        return this.unreadable(`a TIFF of more than ${formatCount(SCAN_BOUNDS.tiffDirectories)} directories`);
      }
      if (visited.has(offset)) return this.unreadable('a TIFF whose directories form a loop');
      visited.add(offset);
      const count = offset + 2 <= file.length ? u16(offset) : 0;
      const next = offset + 2 + 12 * count;
      if (count > SCAN_BOUNDS.tiffEntries) {
        return this.unreadable(`a TIFF directory of more than ${formatCount(SCAN_BOUNDS.tiffEntries)} entries`);
      }
      if (next + 4 > file.length) {
        return first ? this.unreadable('a TIFF whose first directory is past the end of the file') : true;
      }
      const size: { width?: number | undefined; height?: number | undefined } = {};
      for (let entry = offset + 2; entry < next; entry += 12) {
        const tag = u16(entry);
        if (tag !== IMAGE_WIDTH && tag !== IMAGE_LENGTH) continue;
        const type = u16(entry + 2);
        const value = type === SHORT ? u16(entry + 8) : type === LONG ? u32(entry + 8) : undefined;
        size[tag === IMAGE_WIDTH ? 'width' : 'height'] = value;
      }
      if (size.width !== undefined && size.height !== undefined) {
        if (!this.counted(size.width, size.height)) return false;
      } else if (first) return this.unreadable('a TIFF whose first directory has no image size');
      offset = u32(next);
    }
    return true;
  }
}
