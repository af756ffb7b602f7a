/** Stand-in for ledger/sqlite-cover-store.ts: a ledger that keeps nothing. */
import type { CoverStore } from '../../src/ledger/cover-store.js';

export function openSqliteCoverStore(): CoverStore {
  return {
    record: async () => undefined,
    latestCovers: async () => new Map(),
    isWritable: () => true,
    close: () => undefined,
  };
}
