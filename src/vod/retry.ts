import { VodHttpStatusError, VodTransportError } from './errors.js';

/** When and how long the VOD client waits before trying again. */
export interface RetryOptions {
  /**
   * Most HTTP attempts for one upload, the first included.
   * @default 3
   */
  maxAttempts: number;
  /**
   * Backoff cap before the first retry, in ms; doubles with every attempt.
   * @default 100
   */
  baseDelayMs: number;
  /**
   * Largest backoff cap, in ms.
   * @default 2000
   */
  maxDelayMs: number;
  /**
   * Overall deadline for all attempts and waits of one upload, in ms.
   * @default 30000
   */
  deadlineMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  deadlineMs: 30_000,
};

/** What one attempt ended with, as far as retrying is concerned. */
export type AttemptOutcome =
  | { kind: 'answer'; code: number; canRetry: number | undefined }
  | { kind: 'error'; error: unknown };

/**
 * Whether attempt number `attempt` (1-based) should be followed by another.
 * Retries VOD answers with `canRetry == 1` and retryable transport failures; never a
 * `canRetry == 0` answer, a success, or anything after `maxAttempts`.
 */
export function shouldRetry(
  outcome: AttemptOutcome,
  attempt: number,
  options: Pick<RetryOptions, 'maxAttempts'>,
): boolean {
  if (attempt >= options.maxAttempts) return false;
  // Any failure VOD says may pass (API 2.0's quota error 4400 is positive); a success says 0.
  if (outcome.kind === 'answer') return outcome.canRetry === 1;
  // Retried now, these would fail the same: aborted by the caller, or no turn of the call rate.
  const error = outcome.error;
  return (
    error instanceof VodTransportError &&
    error.canRetry &&
    error.code !== 'VOD_ABORTED' &&
    error.code !== 'VOD_RATE_LIMITED'
  );
}

/**
 * The wait an HTTP `Retry-After` asks for, in ms: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3); undefined for none or one that cannot be read. A date in the past is no wait.
 */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its day and month ("Tue, 01 Dec 2026 12:00:30 GMT"); Date.parse alone
  // would read "-5" as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The HTTP statuses whose `Retry-After` says when to try again: 503 (RFC 9110 §15.6.4) and 429
 * (RFC 6585 §4). On any other status the header is not a wait we were asked for (a 500's could
 * end the call at once by asking past the deadline), and the backoff applies.
 */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * How long to wait after attempt number `attempt` before the next: what VOD asked for with
 * `Retry-After` on a 429 or 503 ({@link RETRY_AFTER_STATUSES}), else {@link backoff}. The caller
 * does not retry when the wait would pass the call's deadline.
 */
export function retryDelay(
  outcome: AttemptOutcome,
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const { error } = outcome.kind === 'error' ? outcome : { error: undefined };
  const asked =
    error instanceof VodHttpStatusError && RETRY_AFTER_STATUSES.has(error.status) ? error.retryAfterMs : undefined;
  return asked ?? backoff(attempt, options, random);
}

/**
 * Exponential backoff with full jitter after attempt number `attempt` (1-based):
 * a uniform wait in `[0, min(maxDelayMs, baseDelayMs · 2^(attempt-1)))`.
 */
export function backoff(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}
