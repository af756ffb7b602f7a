/** Stand-in for time/deadline.ts: deadlines that never fire, with no controller, timer or combined signal. */
import type { Deadline } from '../../src/time/deadline.js';

const NEVER = new AbortController().signal;

export function startDeadline(): Deadline {
  return { signal: NEVER, clear: () => undefined };
}

export function eitherSignal(first: AbortSignal | undefined, second: AbortSignal): AbortSignal {
  return first ?? second;
}
