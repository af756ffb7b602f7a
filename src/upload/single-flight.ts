/**
 * Runs one call per key at a time: callers that arrive while a call for their key is in flight
 * share its promise instead of starting another. The key is forgotten when the call settles.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** `joined` is true when this caller shares a call another caller started. */
  run(key: string, call: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const running = this.#inFlight.get(key);
    if (running) return { result: running, joined: true };
    const result = call().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, result);
    return { result, joined: false };
  }

  get size(): number {
    return this.#inFlight.size;
  }
}
