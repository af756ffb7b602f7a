import type { KeyObject } from 'node:crypto';
import { toSigningKey } from '../vod/legacy/sign.js';

/** A SecretId/SecretKey pair the emulator accepts. */
export interface EmulatorCredential {
  secretId: string;
  secretKey: string;
}

/** The pairs the emulator accepts, as each side reads them; `accept` swaps them (a rotation). */
export class AcceptedCredentials {
  /** The legacy side's signing keys, by SecretId. */
  readonly keys = new Map<string, KeyObject>();
  /** API 3.0's secret keys, by SecretId. */
  readonly secretKeys = new Map<string, string>();

  constructor(pairs: readonly EmulatorCredential[]) {
    this.accept(pairs);
  }

  /** Accepts these pairs from now on, and no others. */
  accept(pairs: readonly EmulatorCredential[]): void {
    if (pairs.length === 0) throw new TypeError('startVodEmulator: credentials must hold at least one pair');
    this.keys.clear();
    this.secretKeys.clear();
    for (const c of pairs) {
      this.keys.set(c.secretId, toSigningKey(c.secretKey));
      this.secretKeys.set(c.secretId, c.secretKey);
    }
  }
}
