/**
 * Faults a test can make the emulator commit, each for the next N calls to the upload endpoint,
 * in the order the calls arrive.
 */
export type Fault =
  /** Answer 200 with this VOD code instead of processing the upload (nothing stored). */
  | { kind: 'answer'; code: number; canRetry: 0 | 1; message?: string }
  /** API 3.0 side: answer with this error code (`ResourceNotFound.FileNotExist`; nothing stored). */
  | { kind: 'api3-error'; code: string; message?: string }
  /** Process the upload as usual, then hold the answer back for `ms`. */
  | { kind: 'delay'; ms: number }
  /** Answer with this HTTP status and a plain-text body (nothing stored), and a `Retry-After` header when given. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Answer 200 with a body that is not JSON (nothing stored). */
  | { kind: 'malformed' }
  /** Answer 200 with exactly this JSON text (nothing stored): answers a real VOD should never give. */
  | { kind: 'body'; body: string }
  /**
   * Read the body, then destroy the connection without an answer. With `afterStore` the upload is
   * stored first: the unclear case where VOD has the cover but the client never hears of it.
   */
  | { kind: 'drop'; afterStore?: boolean };

/** A FIFO of faults, each with a number of calls it still applies to. */
export class FaultQueue {
  readonly #pending: { fault: Fault; remaining: number }[] = [];

  /** Applies `fault` to the next `times` calls (after any faults already queued). */
  inject(fault: Fault, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a whole number ≥ 1');
    this.#pending.push({ fault, remaining: times });
  }

  /** The fault for the call arriving now, if any. */
  take(): Fault | undefined {
    const head = this.#pending[0];
    if (head === undefined) return undefined;
    if (--head.remaining === 0) this.#pending.shift();
    return head.fault;
  }

  clear(): void {
    this.#pending.length = 0;
  }

  get size(): number {
    return this.#pending.reduce((sum, entry) => sum + entry.remaining, 0);
  }
}
