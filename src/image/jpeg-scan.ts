import { ByteScan } from './byte-scan.js';
import { EXIF_PREFIX, ORIENTATION_TIFF_SIZE, orientationTiff } from './exif-orientation.js';

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const SOS = 0xda;
const EOI = 0xd9;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
/** An APP segment's identifier is at most this long (`http://ns.adobe.com/xmp/extension/\0` is 35). */
const ID_BYTES = 36;
const JFIF = Buffer.from('JFIF\0', 'latin1');
const ICC_PROFILE = Buffer.from('ICC_PROFILE\0', 'latin1');
const ADOBE = Buffer.from('Adobe', 'latin1');
/** The APP1 segment of a stripped EXIF: marker, length, `Exif\0\0`, the TIFF with the orientation. */
const EXIF_SEGMENT_SIZE = 4 + EXIF_PREFIX.length + ORIENTATION_TIFF_SIZE;

/**
 * JPEG: segments up to each scan, then entropy-coded data up to the next marker. Kept: the frame
 * and its tables, JFIF (APP0), the ICC profile (APP2), Adobe's colour transform (APP14), and the
 * EXIF Orientation alone. Dropped: EXIF (GPS, time, camera, its thumbnail), XMP and extended XMP
 * (APP1), MPF and FlashPix (APP2), IPTC (APP13), every other APPn, comments, and whatever follows
 * the end of the image (MPF's second images carry EXIF of their own).
 */
export class JpegScan extends ByteScan {
  #state: 'start' | 'marker' | 'entropy' | 'after' = 'start';

  protected step(): boolean {
    switch (this.#state) {
      case 'start':
        if (this.available < 2) return false;
        if (this.buffer[this.cursor] !== 0xff || this.buffer[this.cursor + 1] !== 0xd8) {
          return this.unreadable('no JPEG start of image');
        }
        this.keep(2);
        this.#state = 'marker';
        return true;
      case 'marker':
        return this.#segment();
      case 'entropy':
        return this.#entropy();
      case 'after':
        if (this.strip) this.dropRest();
        else this.keepRest();
        return false;
    }
  }

  #segment(): boolean {
    const { buffer, cursor } = this;
    if (this.available < 2) return false;
    if (buffer[cursor] !== 0xff) {
      return this.unreadable(`a byte 0x${buffer[cursor]!.toString(16)} where a JPEG marker must be`);
    }
    const marker = buffer[cursor + 1]!;
    // 0xFF fill bytes may come before any marker.
    if (marker === 0xff) {
      this.keep(1);
      return true;
    }
    if (marker === EOI) {
      this.keep(2);
      this.#state = 'after';
      return true;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      this.keep(2);
      return true;
    }
    if (marker === 0x00 || marker === 0xd8) {
      return this.unreadable(`an unexpected JPEG marker 0x${marker.toString(16)}`);
    }
    if (this.available < 4) return false;
    const length = buffer.readUInt16BE(cursor + 2);
    if (length < 2) {
      return this.unreadable('a JPEG segment shorter than its length field');
    }
    const total = 2 + length;
    if (SOF_MARKERS.has(marker)) {
      if (length < 8) {
        return this.unreadable('a JPEG frame header too short');
      }
      if (this.available < 9) return false;
      this.sized(buffer.readUInt16BE(cursor + 7), buffer.readUInt16BE(cursor + 5));
      if (!this.strip && this.problem === undefined) this.#state = 'after';
      this.keep(total);
      return true;
    }
    if (marker === SOS) {
      if (!this.image) {
        return this.unreadable('a JPEG scan before its frame header');
      }
      this.keep(total);
      this.#state = 'entropy';
      return true;
    }
    if (!isMetadata(marker)) {
      this.keep(total);
      return true;
    }
    // An APP segment: its identifier says what it is.
    const idEnd = Math.min(total, 4 + ID_BYTES);
    if (this.available < idEnd) return false;
    const id = buffer.subarray(cursor + 4, cursor + idEnd);
    if (marker === APP1 && id.subarray(0, EXIF_PREFIX.length).equals(EXIF_PREFIX))
      return this.exifBlock(total, 4, total, exifSegment);
    if (!this.strip || keptApp(marker, id)) this.keep(total);
    else this.drop(total);
    return true;
  }

  /** Entropy-coded data: everything up to a marker other than a stuffed 0xFF00 or a restart. */
  #entropy(): boolean {
    const view = this.buffer.subarray(0, this.end);
    let at = this.cursor;
    for (;;) {
      const ff = view.indexOf(0xff, at);
      if (ff === -1 || ff + 1 >= this.end) {
        // Keep all but a 0xFF at the very end, whose next byte says what it is.
        const upTo = ff === -1 ? this.end : ff;
        if (upTo > this.cursor) this.keep(upTo - this.cursor);
        return false;
      }
      const next = view[ff + 1]!;
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        at = ff + 2;
        continue;
      }
      if (next === 0xff) {
        // A run of fill bytes before a marker: walk it here rather than one indexOf per byte.
        let last = ff + 1;
        while (last + 1 < this.end && view[last + 1] === 0xff) last++;
        at = last;
        if (last + 1 >= this.end) {
          this.keep(last - this.cursor);
          return false;
        }
        continue;
      }
      this.keep(ff - this.cursor);
      this.#state = 'marker';
      return true;
    }
  }
}

/** Segments that may hold metadata: every APPn and comments. */
function isMetadata(marker: number): boolean {
  return (marker >= APP0 && marker <= 0xef) || marker === COM;
}

function keptApp(marker: number, id: Buffer): boolean {
  const startsWith = (prefix: Buffer) => id.subarray(0, prefix.length).equals(prefix);
  if (marker === APP0) return startsWith(JFIF);
  if (marker === APP2) return startsWith(ICC_PROFILE);
  if (marker === APP14) return startsWith(ADOBE);
  return false;
}

function exifSegment(orientation: Parameters<typeof orientationTiff>[0]): Buffer {
  const segment = Buffer.alloc(EXIF_SEGMENT_SIZE);
  segment.writeUInt16BE(0xff00 | APP1, 0);
  segment.writeUInt16BE(EXIF_SEGMENT_SIZE - 2, 2);
  EXIF_PREFIX.copy(segment, 4);
  orientationTiff(orientation).copy(segment, 4 + EXIF_PREFIX.length);
  return segment;
}
