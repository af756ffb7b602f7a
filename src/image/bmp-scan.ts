import { ByteScan } from './byte-scan.js';

/**
 * BMP: a file header and a DIB header with the size, then pixels. It has no metadata to strip (a
 * v5 header's ICC profile is colour, and kept), so every byte is kept.
 */
export class BmpScan extends ByteScan {
  protected step(): boolean {
    const { buffer, cursor } = this;
    if (this.image) {
      this.keepRest();
      return false;
    }
    if (this.available < 26) return false;
    if (buffer[cursor] !== 0x42 || buffer[cursor + 1] !== 0x4d) return this.unreadable('no BMP header');
    const dibSize = buffer.readUInt32LE(cursor + 14);
    if (dibSize === 12) this.sized(buffer.readUInt16LE(cursor + 18), buffer.readUInt16LE(cursor + 20));
    // A negative height is a top-down bitmap.
    else if (dibSize >= 40) this.sized(buffer.readInt32LE(cursor + 18), Math.abs(buffer.readInt32LE(cursor + 22)));
    else return this.unreadable(`a BMP header of ${dibSize} bytes`);
    return this.problem === undefined;
  }
}
