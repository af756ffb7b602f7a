import { readOrientation, type Orientation } from './exif-orientation.js';

/** Why a scan refuses the image. */
export type ScanProblem =
  | { reason: 'TOO_MANY_PIXELS'; width: number; height: number }
  | { reason: 'IMAGE_UNREADABLE'; detail: string };

/** What a scan learnt of the image: its stored size (before any orientation) and orientation. */
export interface ScannedImage {
  width: number;
  height: number;
  orientation: Orientation;
}

/**
 * Scanning one image file in place, as its bytes arrive: the file's bytes sit in one buffer; a
 * scanner walks its segments from `cursor`, and moves each one it keeps down to `written`, so the
 * cover is `buffer[0, written)` and the file is never held twice. `written <= cursor` always: a
 * scanner only drops bytes, or writes fewer than it dropped. Subclasses parse one format.
 */
export abstract class ByteScan {
  /** The next byte of the file to look at. */
  protected cursor = 0;
  /** The end of the cover so far. */
  written = 0;
  /** Bytes of the cover that will not change any more (and may be hashed). */
  settled = 0;
  problem: ScanProblem | undefined;
  width = 0;
  height = 0;
  orientation: Orientation = 1;
  /** Bytes of the current unit still to keep, or (negative) to drop, as they arrive. */
  #pending = 0;
  protected buffer: Buffer = Buffer.alloc(0);
  /** Where the file's bytes end in `buffer`. */
  protected end = 0;

  constructor(
    /** Remove metadata (else only look for the size and pass every byte). */
    protected readonly strip: boolean,
    private readonly maxPixels: number,
  ) {}

  /** Scans the bytes up to `end` of `buffer` (the same bytes as before, and more). */
  advance(buffer: Buffer, end: number): void {
    this.buffer = buffer;
    this.end = end;
    while (this.problem === undefined) {
      if (this.#pending !== 0 && !this.#movePending()) break;
      if (!this.step()) break;
    }
    this.settle();
  }

  /**
   * The file has ended: what is still unparsed is judged, and the cover is final. Keeping every
   * byte, a file cut short in the middle of a unit keeps that unit's bytes too.
   */
  finish(buffer: Buffer, end: number): void {
    this.advance(buffer, end);
    if (this.problem === undefined) this.atEnd();
    if (this.problem === undefined && !this.strip) this.keepRest();
    this.settled = this.written;
  }

  /** The image, once its size (what a decoder shows, before any orientation) is known. */
  get image(): ScannedImage | undefined {
    return this.width > 0 && this.height > 0
      ? { width: this.width, height: this.height, orientation: this.orientation }
      : undefined;
  }

  /** Parses the next unit; false when it needs bytes that have not arrived. */
  protected abstract step(): boolean;

  /**
   * Called once at the end of the file, when no problem was found. A file cut short after its
   * size is kept as it is (viewers show what is there, as VOD takes it); one without a size is not
   * an image.
   */
  protected atEnd(): void {
    if (!this.image) this.unreadable('the file ends before the image size');
  }

  /** Moves `settled` up after bytes were kept (formats that patch a header override it). */
  protected settle(): void {
    this.settled = this.written;
  }

  /** Bytes available from the cursor. */
  protected get available(): number {
    return this.end - this.cursor;
  }

  /** Keeps the next `n` bytes (those not yet here as they arrive). */
  protected keep(n: number): void {
    this.#pending = n;
    this.#movePending();
  }

  /** Drops the next `n` bytes (those not yet here as they arrive). */
  protected drop(n: number): void {
    this.#pending = -n;
    this.#movePending();
  }

  /** Keeps the next `n` bytes when keeping all, else drops them. */
  protected keepUnlessStripping(n: number): void {
    if (this.strip) this.drop(n);
    else this.keep(n);
  }

  /** Keeps every byte from here, as they arrive. */
  protected keepRest(): void {
    this.keep(Number.MAX_SAFE_INTEGER);
  }

  /** Drops every byte from here (what follows an image's end). */
  protected dropRest(): void {
    this.drop(Number.MAX_SAFE_INTEGER);
  }

  /** Writes `bytes` into the cover; only where at least as many were just dropped. */
  protected insert(bytes: Uint8Array): void {
    if (this.written + bytes.length > this.cursor) throw new RangeError('insert past the bytes dropped');
    this.buffer.set(bytes, this.written);
    this.written += bytes.length;
  }

  /**
   * An EXIF block of `total` bytes at the cursor, its TIFF at `[tiffFrom, tiffTo)` of it. Decoders
   * take the Orientation of the first block they read and of no other (libvips, libwebp's demuxer:
   * a second block saying 6 after one saying 1, or none, turns nothing); `honoured` says whether
   * they read this one at all (PNG: before IDAT, of a valid byte order; WebP: with VP8X's EXIF
   * flag). Stripping, every block is dropped and, for a turned image, `replacement` (the format's
   * smallest block of the Orientation alone) written where the first was: the orientation the
   * answer gives is the one the cover shows. False while that first block has not all arrived.
   */
  protected exifBlock(
    total: number,
    tiffFrom: number,
    tiffTo: number,
    honoured: boolean,
    replacement: (orientation: Orientation) => Buffer | undefined,
  ): boolean {
    if (!honoured || this.#exifRead) {
      this.keepUnlessStripping(total);
      return true;
    }
    if (this.available < total) return false;
    this.#exifRead = true;
    const orientation = readOrientation(this.buffer.subarray(this.cursor + tiffFrom, this.cursor + tiffTo));
    if (!this.strip) {
      this.orientation = orientation;
      this.keep(total);
      return true;
    }
    this.drop(total);
    const block = orientation === 1 ? undefined : replacement(orientation);
    if (block && block.length <= total) {
      this.insert(block);
      this.orientation = orientation;
      this.orientationWritten = true;
    }
    return true;
  }

  /** Whether the stripped cover holds the Orientation block written by {@link exifBlock}. */
  protected orientationWritten = false;
  /** Whether the EXIF block decoders read has been seen. */
  #exifRead = false;

  /** The image's shown size; refused past the pixel limit (checked before anything is decoded). */
  protected sized(width: number, height: number): void {
    if (width <= 0 || height <= 0) {
      this.unreadable(`the image declares a size of ${width} × ${height}`);
      return;
    }
    this.width = width;
    this.height = height;
    this.counted(width, height);
  }

  /**
   * Counts one more picture a decoder allocates (a frame, a canvas, a page) against the pixel
   * limit, without making it the image's size; false once refused.
   */
  protected counted(width: number, height: number): boolean {
    if (width * height > this.maxPixels) this.problem ??= { reason: 'TOO_MANY_PIXELS', width, height };
    return this.problem === undefined;
  }

  /** Refuses the image as unreadable; false, for a step to return. */
  protected unreadable(detail: string): false {
    this.problem ??= { reason: 'IMAGE_UNREADABLE', detail };
    return false;
  }

  /** Moves what it can of the pending unit; false when more of it is still to come. */
  #movePending(): boolean {
    const wanted = Math.abs(this.#pending);
    const here = Math.min(wanted, this.available);
    if (this.#pending > 0) {
      if (this.written !== this.cursor) this.buffer.copyWithin(this.written, this.cursor, this.cursor + here);
      this.written += here;
      this.#pending -= here;
    } else {
      this.#pending += here;
    }
    this.cursor += here;
    return this.#pending === 0;
  }
}
