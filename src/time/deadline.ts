/** A signal that aborts once a time is up, and the way to stand its timer down. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Clears the timer: call it as soon as the work settles (a timer left armed piles up under load). */
  clear(): void;
}

/** A deadline `ms` from now; its signal aborts with a `TimeoutError` naming `what`. */
export function startDeadline(ms: number, what: string): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(what, 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** A signal that aborts when either does (`AbortSignal.any`, skipped when there is only one). */
export function eitherSignal(first: AbortSignal | undefined, second: AbortSignal): AbortSignal {
  return first ? AbortSignal.any([first, second]) : second;
}
