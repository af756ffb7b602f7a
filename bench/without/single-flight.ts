/** Stand-in for upload/single-flight.ts: every caller makes its own call. */
export class SingleFlight<T> {
  run(_key: string, call: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    return { result: call(), joined: false };
  }

  get size(): number {
    return 0;
  }
}
