import type { CoverStore } from './cover-store.js';
import { type RetryingCoverStore, type WriteRetryOptions, withWriteRetries } from './retrying-cover-store.js';
import { openSqliteCoverStore } from './sqlite-cover-store.js';

/** The gateway's `ledger` option: a store of the caller's, the SQLite file to keep it in, or nothing. */
export type LedgerOption = CoverStore | string | undefined;

/** Where covers are recorded when nothing is said: an in-memory SQLite ledger (nothing survives a restart). */
export const DEFAULT_LEDGER = ':memory:';

/**
 * The ledger a gateway writes to: the caller's store, or a SQLite one it opens (and closes), with
 * failed writes held and written again.
 */
export function openLedger(
  option: LedgerOption,
  retries: WriteRetryOptions,
): { ledger: RetryingCoverStore; close(): Promise<void> } {
  const owned = typeof option !== 'object';
  const store = typeof option === 'object' ? option : openSqliteCoverStore(option ?? DEFAULT_LEDGER);
  const ledger = withWriteRetries(store, retries);
  return {
    ledger,
    async close() {
      await ledger.stop();
      if (owned) await store.close();
    },
  };
}
