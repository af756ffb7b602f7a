import { ByteScan } from './byte-scan.js';

/**
 * The formats only fitting takes (AVIF, TIFF, HEIC): never sent as they are, so there is nothing
 * to strip here; the fitter reads their size from the header (sharp's metadata) before decoding.
 */
export class PassThroughScan extends ByteScan {
  protected step(): boolean {
    this.keepRest();
    return false;
  }

  protected override atEnd(): void {}
}
