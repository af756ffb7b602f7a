import { setTimeout as sleep } from 'node:timers/promises';
import { VodRateLimitedError } from './errors.js';

/**
 * A call's place among the turns of the account's rate. Its time starts as planned, and becomes
 * the time the call was really sent (`sent`), so that the calls after it are spaced from that.
 */
export interface CallSlot {
  /** How long from the reservation the call waits for its planned time, in ms. */
  readonly waitMs: number;
}

/**
 * Where the turns of VOD calls are kept: in memory for one replica; in PostgreSQL for replicas
 * that share it (`openPostgresCoverStore`'s `callSlots`), so that together they keep one rate.
 * A call's turn is one second (plus slack) after the time of the call `callsPerSecond` before it:
 * planned when reserved, checked again when due (that call may have gone later than planned: a
 * busy event loop, a wait for a place among the calls in flight), and moved to when it was sent.
 */
export interface CallSlots {
  /** Reserves the next slot, in the order asked for. */
  reserve(callsPerSecond: number): Promise<CallSlot>;
  /** How much longer the slot must wait, in ms, by the time the call `callsPerSecond` before it really went. */
  due(slot: CallSlot, callsPerSecond: number): Promise<number>;
  /** The call of `slot` is being sent now. */
  sent(slot: CallSlot): void;
}

/** Options of {@link createVodCallBudget}. */
export interface VodCallBudgetOptions {
  /** Most VOD calls in any one second, every replica that shares `slots` together. */
  callsPerSecond: number;
  /**
   * Most calls of this replica waiting their turn at once; past it a call is turned away at once
   * (VOD_RATE_LIMITED), and an upload before its file is read.
   * @default 1000
   */
  maxWaiting?: number | undefined;
  /** Where the slots are kept. @default in memory (this replica alone) */
  slots?: CallSlots | undefined;
}

/** A turn taken: how long the call waited for it, and the way to say it is being sent. */
export interface CallTurn {
  readonly waitedMs: number;
  /** Call right before sending: the turns after it are spaced from this moment. */
  sent(): void;
}

/** The account's VOD call rate, kept: every call to VOD takes a turn of it first. */
export interface VodCallBudget {
  readonly callsPerSecond: number;
  readonly maxWaiting: number;
  /**
   * Waits for the call's turn. Throws a `VodRateLimitedError` when `maxWaiting` calls already wait,
   * when the turn would come more than `deadlineMs` from now (known when it is reserved: no timer
   * is armed for it), when `signal` (the call's deadline, or its client gone) aborts first, or when
   * the shared slots cannot be read.
   */
  take(signal?: AbortSignal, deadlineMs?: number): Promise<CallTurn>;
  /** Whether a call asked now would be turned away: an upload is then refused before it is read. */
  full(): boolean;
  /** The refusal a call asked now would get (its queue full), or undefined when it would wait its turn. */
  refusalNow(): VodRateLimitedError | undefined;
  /** Calls of this replica waiting their turn now. */
  waiting(): number;
  /** Turns this replica's calls were sent on in the last second: the calls VOD saw from it. */
  callsInLastSecond(): number;
}

/** Most calls of a replica waiting their turn by default: ten seconds of the default rate. */
export const DEFAULT_MAX_WAITING = 1000;

/**
 * Keeps VOD calls within `callsPerSecond`: strict (at most that many in any one-second window, as
 * VOD counts), in arrival order, each call waiting its turn within its own deadline.
 */
export function createVodCallBudget(options: VodCallBudgetOptions): VodCallBudget {
  const { callsPerSecond, maxWaiting = DEFAULT_MAX_WAITING, slots = memoryCallSlots() } = options;
  if (!Number.isSafeInteger(callsPerSecond) || callsPerSecond < 1)
    throw new TypeError(`option "vodRateLimit" must be a whole number of calls per second ≥ 1, got ${callsPerSecond}`);
  if (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0)
    throw new TypeError(`option "vodRateQueue" must be a whole number ≥ 0, got ${maxWaiting}`);
  let waiting = 0;
  const refusalNow = () =>
    waiting >= maxWaiting
      ? new VodRateLimitedError(callsPerSecond, `${waiting} calls already wait their turn`)
      : undefined;
  // When this replica's calls were sent in the last second.
  let sentAt: number[] = [];
  const inLastSecond = () => {
    const since = performance.now() - 1000;
    sentAt = sentAt.filter((at) => at > since);
    return sentAt.length;
  };
  const turnOf = async (signal: AbortSignal | undefined, deadlineMs: number): Promise<CallTurn> => {
    const started = performance.now();
    const slot = await slots.reserve(callsPerSecond);
    // Under a millisecond is due: timers may fire that much early.
    for (let waitMs = slot.waitMs; waitMs >= 1; waitMs = await slots.due(slot, callsPerSecond)) {
      if (performance.now() - started + waitMs > deadlineMs)
        throw new VodRateLimitedError(callsPerSecond, 'its turn would come after its deadline');
      await sleep(waitMs, undefined, signal ? { signal } : undefined);
    }
    return {
      waitedMs: performance.now() - started,
      sent() {
        slots.sent(slot);
        if (sentAt.push(performance.now()) > 2 * callsPerSecond) inLastSecond();
      },
    };
  };
  return {
    callsPerSecond,
    maxWaiting,
    full: () => refusalNow() !== undefined,
    refusalNow,
    waiting: () => waiting,
    callsInLastSecond: inLastSecond,
    async take(signal, deadlineMs = Number.POSITIVE_INFINITY) {
      const refused = refusalNow();
      if (refused) throw refused;
      waiting++;
      try {
        return await turnOf(signal, deadlineMs);
      } catch (error) {
        if (error instanceof VodRateLimitedError) throw error;
        if (signal?.aborted) throw new VodRateLimitedError(callsPerSecond, 'its turn came after its deadline');
        // The shared slots (PostgreSQL) did not answer: no call without a turn.
        throw new VodRateLimitedError(callsPerSecond, `no turn could be taken (${(error as Error).message})`);
      } finally {
        waiting--;
      }
    },
  };
}

/**
 * Slack added to each slot, in ms: VOD counts arrivals, and calls sent one second apart arrive
 * closer when the earlier one was slower on its way (the connection, a busy process on either
 * side). 100 ms costs a tenth of the rate and held a strict emulator, in the same process as three
 * gateways under 90 uploads at once, to the rate (20 ms did not: arrivals 988 ms apart).
 */
export const SLOT_SLACK_MS = 100;

/** A slot in memory: its place in the order, and its time. */
interface MemorySlot extends CallSlot {
  readonly seq: number;
  at: number;
  waitMs: number;
}

/** Slots in memory, for one replica: the last ones handed out, by their place in the order. */
export function memoryCallSlots(now: () => number = performance.now.bind(performance)): CallSlots {
  // Contiguous, in the order handed out: the slot of `seq` is `next - seq` from the end.
  let kept: MemorySlot[] = [];
  let next = 0;
  // When the slot `callsPerSecond` before `seq` allows it to go (that slot's time + 1 s + slack).
  const allowedAt = (seq: number, callsPerSecond: number): number => {
    const before = kept[kept.length - (next - seq) - callsPerSecond];
    return before ? before.at + 1000 + SLOT_SLACK_MS : Number.NEGATIVE_INFINITY;
  };
  return {
    async reserve(callsPerSecond) {
      const at = now();
      const slot: MemorySlot = { seq: next++, at, waitMs: 0 };
      kept.push(slot);
      slot.at = Math.max(at, allowedAt(slot.seq, callsPerSecond));
      slot.waitMs = slot.at - at;
      // Slots two seconds past bound no slot still to go (its turn is at most a second after
      // theirs); dropped in batches, so that a reservation costs the same at any rate.
      if (kept.length >= 2 * callsPerSecond + 64) {
        let stale = 0;
        while (stale < kept.length - callsPerSecond - 1 && kept[stale]!.at < at - 2000) stale++;
        if (stale > 0) kept = kept.slice(stale);
      }
      return slot;
    },
    async due(slot, callsPerSecond) {
      return Math.max(0, allowedAt((slot as MemorySlot).seq, callsPerSecond) - now());
    },
    sent(slot) {
      const own = slot as MemorySlot;
      own.at = Math.max(own.at, now());
    },
  };
}
