import { ByteScan } from './byte-scan.js';

/**
 * The formats only fitting takes (AVIF, HEIC, TIFF): never sent as they are (sharp re-encodes
 * them), so every byte is kept and nothing is stripped. Their structure is judged once the whole
 * file is here (their headers may point anywhere in it), before sharp sees a byte: a subclass walks
 * it, linearly and within {@link SCAN_BOUNDS}, and counts every picture it declares against the
 * pixel limit. The size answered is sharp's, after fitting.
 */
export abstract class PassThroughScan extends ByteScan {
  protected step(): boolean {
    this.keepRest();
    return false;
  }

  protected override atEnd(): void {
    this.judge(this.buffer.subarray(0, this.end));
  }

  /** Walks the whole file; refuses it (`unreadable`, `counted`) or says nothing. */
  protected abstract judge(file: Buffer): void;
}
