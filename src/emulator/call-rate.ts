/**
 * The emulator's rate, as strict as VOD's: at most `limit` calls accepted in any 1000 ms, counted
 * over the arrival times of the calls it accepted (a refused call does not count, so a client that
 * backs off gets through). `false`: no limit.
 */
export class CallRate {
  #limit: number | false = false;
  /** Arrival times of the accepted calls of the last second, oldest first (`performance.now()` ms). */
  readonly #accepted: number[] = [];

  constructor(limit: number | false) {
    this.set(limit);
  }

  set(limit: number | false): void {
    if (limit !== false && !(Number.isSafeInteger(limit) && limit > 0))
      throw new RangeError(`option "rateLimit" must be a whole number ≥ 1 or false, got ${String(limit)}`);
    this.#limit = limit;
  }

  /** Whether a call arriving now is answered; an accepted one counts toward the window. */
  admit(): boolean {
    if (this.#limit === false) return true;
    // A monotonic clock: the server clock (`now`) is the one tests move.
    const now = performance.now();
    while (this.#accepted.length > 0 && this.#accepted[0]! <= now - 1000) this.#accepted.shift();
    if (this.#accepted.length >= this.#limit) return false;
    this.#accepted.push(now);
    return true;
  }

  clear(): void {
    this.#accepted.length = 0;
  }
}
