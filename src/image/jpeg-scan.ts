import { ByteScan } from './byte-scan.js';
import { EXIF_PREFIX, ORIENTATION_TIFF_SIZE, orientationTiff } from './exif-orientation.js';
import { declaredIccSize } from './icc-profile.js';
import { SCAN_BOUNDS, formatCount } from './scan-bounds.js';

/** Frame headers libjpeg decodes: baseline, extended, progressive, lossless; Huffman or arithmetic. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc9, 0xca, 0xcb]);
/** Frame headers libjpeg refuses (hierarchical, and JPG): "Unsupported JPEG process". */
const UNSUPPORTED_SOF = new Set([0xc5, 0xc6, 0xc7, 0xc8, 0xcd, 0xce, 0xcf]);
/** Tables: Huffman (DHT), arithmetic conditioning (DAC), quantisation (DQT), restart interval (DRI). */
const TABLES = new Set([0xc4, 0xcc, 0xdb, 0xdd]);
const SOS = 0xda;
const EOI = 0xd9;
const SOI = 0xd8;
const DNL = 0xdc;
const TEM = 0x01;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
/** An APP segment's identifier is at most this long (`http://ns.adobe.com/xmp/extension/\0` is 35). */
const ID_BYTES = 36;
/** libvips takes the first APP1 that starts with these 4 bytes as the EXIF block. */
const EXIF_ID = Buffer.from('Exif', 'latin1');
const JFIF = Buffer.from('JFIF\0', 'latin1');
const ICC_PROFILE = Buffer.from('ICC_PROFILE\0', 'latin1');
const ADOBE = Buffer.from('Adobe', 'latin1');
/** JFIF's APP0 without a thumbnail: marker, length, `JFIF\0`, version, units, densities, 0 × 0. */
const JFIF_SEGMENT_SIZE = 4 + 14;
/** Adobe's APP14: marker, length, `Adobe`, version, two flag words, the colour transform. */
const ADOBE_SEGMENT_SIZE = 4 + 12;
/** An ICC chunk's head: marker, length, `ICC_PROFILE\0`, its number, the number of chunks. */
const ICC_CHUNK_HEAD = 4 + 14;
/** The APP1 segment of a stripped EXIF: marker, length, `Exif\0\0`, the TIFF with the orientation. */
const EXIF_SEGMENT_SIZE = 4 + EXIF_PREFIX.length + ORIENTATION_TIFF_SIZE;

/**
 * JPEG: segments up to each scan, then entropy-coded data up to the next marker. Stripping keeps
 * what decoding needs: the frame, its tables and scans, JFIF's APP0 without its thumbnail, the ICC
 * profile's APP2 chunks cut to the profile's declared size, Adobe's APP14 (its 12 bytes), and the
 * first EXIF block's Orientation alone. Dropped: every other APPn (EXIF, XMP, MPF, IPTC, …),
 * comments, DNL and restart markers between segments (which decoders skip), and whatever follows
 * the end of the image. In every mode: one frame header, at most {@link SCAN_BOUNDS} scans and
 * segments, no marker libjpeg refuses, and the Orientation of the first EXIF block (libvips').
 */
export class JpegScan extends ByteScan {
  #state: 'start' | 'marker' | 'entropy' | 'after' = 'start';
  #segments = 0;
  #scans = 0;
  /** Bytes of the ICC profile still to keep, once its first chunk has said how many it has. */
  #iccLeft: number | undefined;

  protected step(): boolean {
    switch (this.#state) {
      case 'start':
        if (this.available < 2) return false;
        if (this.buffer[this.cursor] !== 0xff || this.buffer[this.cursor + 1] !== SOI) {
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

  protected override atEnd(): void {
    super.atEnd();
    // libjpeg: "JPEG datastream contains no image".
    if (this.problem === undefined && this.#scans === 0) this.unreadable('a JPEG without any scan');
    // Cut short after 0xFF bytes (data, or fill before a marker that never came): they are kept.
    const rest = this.buffer.subarray(this.cursor, this.end);
    if (this.problem === undefined && this.strip && rest.every((byte) => byte === 0xff)) this.keepRest();
  }

  #segment(): boolean {
    const { buffer, cursor } = this;
    if (this.available < 2) return false;
    if (buffer[cursor] !== 0xff) {
      return this.unreadable(`a byte 0x${buffer[cursor]!.toString(16)} where a JPEG marker must be`);
    }
    const marker = buffer[cursor + 1]!;
    // 0xFF fill bytes may come before any marker: a run of them is walked here, not one step each.
    if (marker === 0xff) {
      let last = cursor + 1;
      while (last + 1 < this.end && buffer[last + 1] === 0xff) last++;
      this.keep(last - cursor);
      return true;
    }
    if (marker === EOI) {
      this.keep(2);
      this.#state = 'after';
      return true;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === TEM) {
      // Between segments these mark nothing (libjpeg skips them): only data restarts matter.
      this.keepUnlessStripping(2);
      return true;
    }
    if (marker === 0x00 || marker === SOI) {
      return this.unreadable(`an unexpected JPEG marker 0x${marker.toString(16)}`);
    }
    if (UNSUPPORTED_SOF.has(marker)) {
      return this.unreadable(`a JPEG of a kind decoders do not read (frame marker 0x${marker.toString(16)})`);
    }
    const known = SOF_MARKERS.has(marker) || TABLES.has(marker) || marker === SOS || marker === DNL;
    if (!known && !isMetadata(marker)) {
      // DHP, EXP, JPGn and the reserved markers: libjpeg stops at them ("Unsupported marker type").
      return this.unreadable(`a JPEG marker 0x${marker.toString(16)} that decoders refuse`);
    }
    if (this.available < 4) return false;
    const length = buffer.readUInt16BE(cursor + 2);
    if (length < 2) return this.unreadable('a JPEG segment shorter than its length field');
    const total = 2 + length;
    // A segment is at most 64 KiB: it is judged whole (and counted once, however its bytes arrive).
    if (this.available < total) return false;
    if (++this.#segments > SCAN_BOUNDS.jpegSegments) {
      return this.unreadable(`a JPEG of more than ${formatCount(SCAN_BOUNDS.jpegSegments)} segments`);
    }
    if (SOF_MARKERS.has(marker)) return this.#frame(total);
    if (marker === SOS) {
      if (!this.image) return this.unreadable('a JPEG scan before its frame header');
      if (++this.#scans > SCAN_BOUNDS.jpegScans) {
        return this.unreadable(`a JPEG of more than ${formatCount(SCAN_BOUNDS.jpegScans)} scans`);
      }
      this.keep(total);
      this.#state = 'entropy';
      return true;
    }
    if (marker === DNL) this.keepUnlessStripping(total);
    else if (TABLES.has(marker)) this.keep(total);
    else return this.#app(marker, total);
    return true;
  }

  /** The frame header: the image's size. A second one is an error to libjpeg ("Invalid JPEG file structure"). */
  #frame(total: number): boolean {
    if (this.image) return this.unreadable('a JPEG with a second frame header');
    if (total < 10) return this.unreadable('a JPEG frame header too short');
    this.sized(this.buffer.readUInt16BE(this.cursor + 7), this.buffer.readUInt16BE(this.cursor + 5));
    this.keep(total);
    return this.problem === undefined;
  }

  /** An APP segment (or a comment): its identifier says what it is. */
  #app(marker: number, total: number): boolean {
    const idEnd = Math.min(total, 4 + ID_BYTES);
    const id = this.buffer.subarray(this.cursor + 4, this.cursor + idEnd);
    if (marker === APP1 && startsWith(id, EXIF_ID)) {
      const tiffFrom = startsWith(id, EXIF_PREFIX) ? 4 + EXIF_PREFIX.length : total;
      return this.exifBlock(total, tiffFrom, total, true, exifSegment);
    }
    if (!this.strip) this.keep(total);
    else if (marker === APP0 && startsWith(id, JFIF)) this.#trimmed(total, JFIF_SEGMENT_SIZE, true);
    else if (marker === APP14 && startsWith(id, ADOBE)) this.#trimmed(total, ADOBE_SEGMENT_SIZE, false);
    else if (marker === APP2 && startsWith(id, ICC_PROFILE)) return this.#iccChunk(total);
    else this.drop(total);
    return true;
  }

  /**
   * Keeps the first `size` bytes of a segment of fixed content, its length rewritten: JFIF's
   * thumbnail (its size zeroed) and whatever follows Adobe's 12 bytes are not read by decoders.
   * Shorter than that, decoders skip it, and so it is dropped.
   */
  #trimmed(total: number, size: number, thumbnail: boolean): void {
    if (total < size) {
      this.drop(total);
      return;
    }
    this.buffer.writeUInt16BE(size - 2, this.cursor + 2);
    if (thumbnail) this.buffer.fill(0, this.cursor + size - 2, this.cursor + size);
    this.keep(size);
    this.drop(total - size);
  }

  /**
   * One APP2 chunk of the ICC profile, cut where the profile's declared size ends (colour engines
   * read that many bytes, and no more: what follows can carry anything). The declared size is in
   * chunk 1, which comes first from every writer; a chunk left with nothing of the profile is
   * dropped.
   */
  #iccChunk(total: number): boolean {
    const { buffer, cursor } = this;
    if (total >= ICC_CHUNK_HEAD && buffer[cursor + 16] === 1 && this.#iccLeft === undefined) {
      this.#iccLeft = declaredIccSize(buffer.subarray(cursor + ICC_CHUNK_HEAD, cursor + total)) ?? 0;
    }
    const kept = Math.min(total - ICC_CHUNK_HEAD, this.#iccLeft ?? 0);
    if (kept <= 0) {
      this.drop(total);
      return true;
    }
    this.#iccLeft! -= kept;
    buffer.writeUInt16BE(ICC_CHUNK_HEAD - 2 + kept, cursor + 2);
    this.keep(ICC_CHUNK_HEAD + kept);
    this.drop(total - ICC_CHUNK_HEAD - kept);
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

function startsWith(id: Buffer, prefix: Buffer): boolean {
  return id.subarray(0, prefix.length).equals(prefix);
}

function exifSegment(orientation: Parameters<typeof orientationTiff>[0]): Buffer {
  const segment = Buffer.alloc(EXIF_SEGMENT_SIZE);
  segment.writeUInt16BE(0xff00 | APP1, 0);
  segment.writeUInt16BE(EXIF_SEGMENT_SIZE - 2, 2);
  EXIF_PREFIX.copy(segment, 4);
  orientationTiff(orientation).copy(segment, 4 + EXIF_PREFIX.length);
  return segment;
}
