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

/**
 * `work`, or the error `stopped` gives once `signal` aborts first. The work goes on (others may
 * share it); its outcome is then ignored.
 */
export function beforeAbort<T>(work: Promise<T>, signal: AbortSignal, stopped: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** `work`, or `stopped()` once `ms` pass first; the timer is cleared as soon as either settles. */
export async function within<T>(work: Promise<T>, ms: number, stopped: () => Error): Promise<T> {
  const deadline = startDeadline(ms, 'deadline');
  try {
    return await beforeAbort(work, deadline.signal, stopped);
  } finally {
    deadline.clear();
  }
}
