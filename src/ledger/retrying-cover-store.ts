import type { CoverRecord, CoverStore, KeptAnswer } from './cover-store.js';
import {
  createHeldWrites,
  type HeldWrites,
  hold,
  stopRetrying,
  type WriteRetryOptions,
  writeHeldNow,
} from './held-writes.js';

export type { LedgerEvents, WriteRetryOptions } from './held-writes.js';

/** A cover store whose failed writes are held and written again. */
export interface RetryingCoverStore extends CoverStore {
  /** Records held because writing them failed. */
  pending(): number;
  /**
   * Stops retrying after one last try; what is still held is told to `events.ledgerDropped`. Leaves
   * the wrapped store open.
   */
  stop(): Promise<void>;
}

/**
 * Wraps a cover store so that a record whose write fails (read-only or full disk, a ledger file
 * deleted or replaced) is not lost: it is held in a bounded queue, in order, and written again with
 * backoff until writes work; reads see held records too. While any is held the store says it is
 * not writable, so `/ready` turns 503.
 */
export function withWriteRetries(store: CoverStore, options: WriteRetryOptions = {}): RetryingCoverStore {
  const held = createHeldWrites(store, options);
  store.onWritableAgain?.(() => writeHeldNow(held));
  const stop = () => stopRetrying(held);
  return {
    ...(store.claims ? { claims: store.claims } : {}),
    ...(store.callSlots ? { callSlots: store.callSlots } : {}),
    record: (cover) => recordBehindHeld(held, cover),
    latestCovers: (videoFileIds) => latestCoversWithHeld(held, videoFileIds),
    isWritable: () => held.records.length === 0 && store.isWritable(),
    ...(store.idempotencyKeyTtlMs === undefined ? {} : { idempotencyKeyTtlMs: store.idempotencyKeyTtlMs }),
    ...keptAnswers(held),
    pending: () => held.records.length,
    stop,
    async close() {
      await stop();
      await store.close();
    },
  };
}

async function recordBehindHeld(held: HeldWrites, cover: CoverRecord): Promise<void> {
  // Behind records already held, to keep the order (a video's cover is its latest record).
  if (held.records.length > 0) return hold(held, cover);
  try {
    await held.store.record(cover);
  } catch (error) {
    hold(held, cover, { error });
  }
}

async function latestCoversWithHeld(
  held: HeldWrites,
  videoFileIds: readonly string[],
): Promise<Map<string, CoverRecord>> {
  const covers = await held.store.latestCovers(videoFileIds);
  if (held.records.length === 0) return covers;
  const wanted = new Set(videoFileIds);
  for (const record of held.records) if (wanted.has(record.videoFileId)) covers.set(record.videoFileId, record);
  return covers;
}

/** The store's Idempotency-Key answers, when it keeps them, with held records' answers counted. */
function keptAnswers(held: HeldWrites): Pick<CoverStore, 'answerFor' | 'keepAnswer'> {
  const { store } = held;
  if (!store.answerFor || !store.keepAnswer) return {};
  return {
    async answerFor(key: string) {
      // A held record's answer counts as kept: it will be written.
      const heldRecord = held.records.findLast((record) => record.kept?.key === key);
      if (heldRecord)
        return { key, videoFileId: heldRecord.videoFileId, sha1: heldRecord.sha1, result: heldRecord.kept!.result };
      return store.answerFor!(key);
    },
    keepAnswer: (answer: KeptAnswer) => store.keepAnswer!(answer),
  };
}
