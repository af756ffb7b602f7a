import type { CoverRecord, CoverStore } from './cover-store.js';

/** Options of {@link withWriteRetries}. */
export interface WriteRetryOptions {
  /**
   * Most records held while writes fail. Past it the oldest is given up (told to `events.ledgerDropped`,
   * whole, so an operator can replay it from the log).
   * @default 10000
   */
  maxPending?: number;
  /**
   * First wait before writing held records again, in ms; doubled after each failure.
   * @default 1000
   */
  retryDelayMs?: number;
  /**
   * Longest wait between two tries, in ms.
   * @default 30000
   */
  maxRetryDelayMs?: number;
  /** Told what happens to the writes (logs, metrics). */
  events?: LedgerEvents;
}

/** What the write-retrying ledger tells an operator. */
export interface LedgerEvents {
  /** The number of held records changed. */
  ledgerPending?(pending: number): void;
  /** A write failed (with the number of records now held). */
  ledgerWriteFailed?(error: unknown, pending: number): void;
  /** Held records were written after all. */
  ledgerRecovered?(written: number): void;
  /** A record was given up: the queue was full, or it could not be written at close. */
  ledgerDropped?(record: CoverRecord): void;
}

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
  const { maxPending = 10_000, retryDelayMs = 1000, maxRetryDelayMs = 30_000, events = {} } = options;
  const onWriteFailed = events.ledgerWriteFailed?.bind(events);
  const onPendingChange = events.ledgerPending?.bind(events);
  const onRecovered = events.ledgerRecovered?.bind(events);
  const onDropped = events.ledgerDropped?.bind(events);
  const held: CoverRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let delay = retryDelayMs;
  let writing: Promise<void> | undefined;
  let closed = false;

  /** Queues a record; only a write that really failed is told as a failure. */
  const hold = (record: CoverRecord, failure?: { error: unknown }): void => {
    held.push(record);
    if (held.length > maxPending) onDropped?.(held.shift()!);
    onPendingChange?.(held.length);
    if (failure) onWriteFailed?.(failure.error, held.length);
    schedule();
  };
  const schedule = (): void => {
    if (timer || writing || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void writeHeld();
    }, delay);
    delay = Math.min(delay * 2, maxRetryDelayMs);
  };
  /** Writes held records in order; stops at the first failure. */
  const writeHeld = (): Promise<void> =>
    (writing ??= (async () => {
      let written = 0;
      try {
        while (held.length > 0) {
          await store.record(held[0]!);
          held.shift();
          written++;
          onPendingChange?.(held.length);
        }
        delay = retryDelayMs;
      } catch (error) {
        onWriteFailed?.(error, held.length);
      } finally {
        writing = undefined;
        if (written > 0 && held.length === 0) onRecovered?.(written);
        if (held.length > 0 && timer === undefined) schedule();
      }
    })());

  // Back after an outage: write what is held now, not after the backoff reached by then (up to 30 s).
  store.onWritableAgain?.(() => {
    if (closed || held.length === 0 || writing) return;
    clearTimeout(timer);
    timer = undefined;
    delay = retryDelayMs;
    void writeHeld();
  });

  async function stop(): Promise<void> {
    closed = true;
    clearTimeout(timer);
    await writing;
    // A last try; what still cannot be written is told whole (the log keeps it), not lost silently.
    await writeHeld();
    for (const record of held.splice(0)) onDropped?.(record);
    onPendingChange?.(0);
  }

  return {
    ...(store.claims ? { claims: store.claims } : {}),
    async record(cover) {
      // Behind records already held, to keep the order (a video's cover is its latest record).
      if (held.length > 0) return hold(cover);
      try {
        await store.record(cover);
      } catch (error) {
        hold(cover, { error });
      }
    },
    async latestCovers(videoFileIds) {
      const covers = await store.latestCovers(videoFileIds);
      if (held.length === 0) return covers;
      const wanted = new Set(videoFileIds);
      for (const record of held) if (wanted.has(record.videoFileId)) covers.set(record.videoFileId, record);
      return covers;
    },
    isWritable: () => held.length === 0 && store.isWritable(),
    ...(store.idempotencyKeyTtlMs === undefined ? {} : { idempotencyKeyTtlMs: store.idempotencyKeyTtlMs }),
    ...(store.answerFor && store.keepAnswer
      ? {
          async answerFor(key: string) {
            // A held record's answer counts as kept: it will be written.
            const heldRecord = held.findLast((record) => record.kept?.key === key);
            if (heldRecord)
              return {
                key,
                videoFileId: heldRecord.videoFileId,
                sha1: heldRecord.sha1,
                result: heldRecord.kept!.result,
              };
            return store.answerFor!(key);
          },
          keepAnswer: (answer: Parameters<NonNullable<CoverStore['keepAnswer']>>[0]) => store.keepAnswer!(answer),
        }
      : {}),
    pending: () => held.length,
    stop,
    async close() {
      await stop();
      await store.close();
    },
  };
}
