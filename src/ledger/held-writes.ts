import type { CoverRecord, CoverStore } from './cover-store.js';

/** Options of `withWriteRetries`. */
export interface WriteRetryOptions {
  /**
   * Most records held while writes fail. Past it the oldest is given up (told to `events.ledgerDropped`,
   * whole, so an operator can replay it from the log).
   * @default 10000
   */
  maxPending?: number | undefined;
  /**
   * First wait before writing held records again, in ms; doubled after each failure.
   * @default 1000
   */
  retryDelayMs?: number | undefined;
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

/** Records whose write failed, held in order and written to `store` again with backoff. */
export interface HeldWrites {
  readonly store: CoverStore;
  readonly records: CoverRecord[];
  readonly maxPending: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly events: LedgerEvents;
  /** The next try, when one is waiting. */
  timer: NodeJS.Timeout | undefined;
  /** The wait before the next try. */
  delay: number;
  /** The try under way. */
  writing: Promise<void> | undefined;
  closed: boolean;
}

/** An empty queue of held writes to `store`, with the defaults applied. */
export function createHeldWrites(store: CoverStore, options: WriteRetryOptions = {}): HeldWrites {
  const { maxPending = 10_000, retryDelayMs = 1000, maxRetryDelayMs = 30_000, events = {} } = options;
  return {
    store,
    records: [],
    maxPending,
    retryDelayMs,
    maxRetryDelayMs,
    events,
    timer: undefined,
    delay: retryDelayMs,
    writing: undefined,
    closed: false,
  };
}

/** Queues a record; only a write that really failed is told as a failure. */
export function hold(held: HeldWrites, record: CoverRecord, failure?: { error: unknown }): void {
  const { records, events } = held;
  records.push(record);
  if (records.length > held.maxPending) events.ledgerDropped?.(records.shift()!);
  events.ledgerPending?.(records.length);
  if (failure) events.ledgerWriteFailed?.(failure.error, records.length);
  schedule(held);
}

function schedule(held: HeldWrites): void {
  if (held.timer || held.writing || held.closed) return;
  held.timer = setTimeout(() => {
    held.timer = undefined;
    void writeHeld(held);
  }, held.delay);
  held.delay = Math.min(held.delay * 2, held.maxRetryDelayMs);
}

/** Writes held records in order; stops at the first failure. */
export function writeHeld(held: HeldWrites): Promise<void> {
  held.writing ??= writeInOrder(held);
  return held.writing;
}

async function writeInOrder(held: HeldWrites): Promise<void> {
  const { records, events } = held;
  let written = 0;
  try {
    while (records.length > 0) {
      await held.store.record(records[0]!);
      records.shift();
      written++;
      events.ledgerPending?.(records.length);
    }
    held.delay = held.retryDelayMs;
  } catch (error) {
    events.ledgerWriteFailed?.(error, records.length);
  } finally {
    held.writing = undefined;
    if (written > 0 && records.length === 0) events.ledgerRecovered?.(written);
    if (records.length > 0 && held.timer === undefined) schedule(held);
  }
}

/** Back after an outage: write what is held now, not after the backoff reached by then (up to 30 s). */
export function writeHeldNow(held: HeldWrites): void {
  if (held.closed || held.records.length === 0 || held.writing) return;
  clearTimeout(held.timer);
  held.timer = undefined;
  held.delay = held.retryDelayMs;
  void writeHeld(held);
}

/** Stops retrying after one last try; what is still held is told to `events.ledgerDropped`. */
export async function stopRetrying(held: HeldWrites): Promise<void> {
  held.closed = true;
  clearTimeout(held.timer);
  await held.writing;
  // A last try; what still cannot be written is told whole (the log keeps it), not lost silently.
  await writeHeld(held);
  for (const record of held.records.splice(0)) held.events.ledgerDropped?.(record);
  held.events.ledgerPending?.(0);
}
