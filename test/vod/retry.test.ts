import { describe, expect, it } from 'vitest';
import {
  VodAbortedError,
  VodBadResponseError,
  VodConnectionError,
  VodHttpStatusError,
  VodRateLimitedError,
  VodTimeoutError,
} from '../../src/vod/errors.js';
import {
  DEFAULT_RETRY_OPTIONS,
  backoff,
  retryAfterMs,
  retryDelay,
  shouldRetry,
  type AttemptOutcome,
} from '../../src/vod/retry.js';

const limits = { maxAttempts: 3 };

describe('shouldRetry', () => {
  it.each<[string, AttemptOutcome, boolean]>([
    ['a success', { kind: 'answer', code: 0, canRetry: 0 }, false],
    ['an instant upload', { kind: 'answer', code: 2, canRetry: 0 }, false],
    ['a canRetry 1 answer', { kind: 'answer', code: -10004, canRetry: 1 }, true],
    ['a canRetry 0 answer', { kind: 'answer', code: -10002, canRetry: 0 }, false],
    ["API 2.0's quota error 4400 with canRetry 1", { kind: 'answer', code: 4400, canRetry: 1 }, true],
    ['an answer without canRetry', { kind: 'answer', code: -20000, canRetry: undefined }, false],
    ['a timeout', { kind: 'error', error: new VodTimeoutError('headers') }, true],
    ['a dropped connection', { kind: 'error', error: new VodConnectionError() }, true],
    ['an unreadable body', { kind: 'error', error: new VodBadResponseError('not JSON') }, true],
    ['HTTP 502', { kind: 'error', error: new VodHttpStatusError(502) }, true],
    ['HTTP 404', { kind: 'error', error: new VodHttpStatusError(404) }, false],
    ['an abort by the caller', { kind: 'error', error: new VodAbortedError() }, false],
    ['no turn of the call rate', { kind: 'error', error: new VodRateLimitedError(10, 'queue full') }, false],
    ['an unknown error', { kind: 'error', error: new Error('bug') }, false],
  ])('after %s on attempt 1: %s', (_name, outcome, expected) => {
    expect(shouldRetry(outcome, 1, limits)).toBe(expected);
  });

  it('never goes past maxAttempts', () => {
    const outcome: AttemptOutcome = { kind: 'answer', code: -10004, canRetry: 1 };
    expect(shouldRetry(outcome, 2, limits)).toBe(true);
    expect(shouldRetry(outcome, 3, limits)).toBe(false);
  });
});

describe('backoff', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };

  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [9, 1000],
  ])('after attempt %i waits less than %i ms (full jitter)', (attempt, cap) => {
    expect(backoff(attempt, options, () => 0)).toBe(0);
    expect(backoff(attempt, options, () => 0.999999)).toBe(Math.floor(0.999999 * cap));
    expect(backoff(attempt, options, () => 0.5)).toBe(cap / 2);
  });

  it('documents its defaults', () => {
    expect(DEFAULT_RETRY_OPTIONS).toEqual({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2000, deadlineMs: 30_000 });
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Tue, 01 Dec 2026 12:00:30 GMT', 30_000],
    ['Tue, 01 Dec 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %j as %j ms', (value, expected) => {
    expect(retryAfterMs(value, now)).toBe(expected);
  });
});

describe('retryDelay', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };
  // Half of attempt 1's backoff cap: what any wait not asked for comes to here.
  const half = () => 0.5;
  const status = (code: number, asked?: number): AttemptOutcome => ({
    kind: 'error',
    error: new VodHttpStatusError(code, asked),
  });

  it.each([429, 503])('waits what a %i asks for with Retry-After', (code) => {
    expect(retryDelay(status(code, 120_000), 1, options, half)).toBe(120_000);
    expect(retryDelay(status(code, 0), 1, options, half)).toBe(0);
  });

  it.each([500, 502, 504, 408])('ignores the Retry-After of a %i and backs off', (code) => {
    expect(retryDelay(status(code, 120_000), 1, options, half)).toBe(50);
  });

  it.each<[string, AttemptOutcome]>([
    ['a 503 without Retry-After', status(503)],
    ['a canRetry 1 answer', { kind: 'answer', code: -10004, canRetry: 1 }],
    ['a timeout', { kind: 'error', error: new VodTimeoutError('headers') }],
    ['an error that only looks like a 429', { kind: 'error', error: { status: 429, retryAfterMs: 120_000 } }],
  ])('backs off after %s', (_name, outcome) => {
    expect(retryDelay(outcome, 2, options, half)).toBe(100);
  });
});
