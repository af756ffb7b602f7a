/**
 * Bytes that may be held at once, taken before they are read and given back after: an admission
 * bound. A taker that does not fit is told at once (no waiting line: a client told to come back
 * costs nothing, one held costs its whole body).
 */
export class ByteBudget {
  #held = 0;

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('ByteBudget: limit must be a whole number ≥ 1');
  }

  /**
   * Takes `bytes` when they fit beside what is held, and gives the way to give them back (once);
   * undefined when they do not fit.
   */
  take(bytes: number): (() => void) | undefined {
    if (this.#held + bytes > this.limit) return undefined;
    this.#held += bytes;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#held -= bytes;
    };
  }

  /** Bytes held now. */
  get held(): number {
    return this.#held;
  }
}
