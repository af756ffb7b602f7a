/**
 * At most `limit` holders at once; others wait in line, each at most `maxWaitMs`. A bounded wait
 * instead of a queue without end: past it, `enter` resolves `false` and the caller gives up.
 */
export class ConcurrencyGate {
  #active = 0;
  readonly #waiting: { wake: (entered: boolean) => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    readonly limit: number,
    readonly maxWaitMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('ConcurrencyGate: limit must be a whole number ≥ 1');
  }

  /**
   * Resolves `true` once the caller holds a place (call `leave` after), `false` if the wait ran out
   * or `signal` aborted first (the caller is gone: its place in line goes to the next).
   */
  enter(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const giveUp = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at < 0) return;
        this.#waiting.splice(at, 1);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', giveUp);
        resolve(false);
      };
      const waiter = {
        wake: (entered: boolean) => {
          signal?.removeEventListener('abort', giveUp);
          resolve(entered);
        },
        timer: setTimeout(giveUp, this.maxWaitMs),
      };
      signal?.addEventListener('abort', giveUp, { once: true });
      this.#waiting.push(waiter);
    });
  }

  leave(): void {
    const next = this.#waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.wake(true);
    } else {
      this.#active--;
    }
  }

  get active(): number {
    return this.#active;
  }
}
