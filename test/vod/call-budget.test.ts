/**
 * The account's VOD call rate as one replica keeps it: strict (at most N turns in any second), in
 * arrival order, with a bound on how many wait and each wait within its deadline.
 */
import { describe, expect, it } from 'vitest';
import { createVodCallBudget, memoryCallSlots, SLOT_SLACK_MS } from '../../src/vod/call-budget.js';
import { VodRateLimitedError } from '../../src/vod/errors.js';
import { mostInAnyWindow } from '../helpers/call-windows.js';

describe('memoryCallSlots', () => {
  it('gives the first N calls of a second no wait, and the next N one second (plus slack) after them', async () => {
    let clock = 10_000;
    const slots = memoryCallSlots(() => clock);
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push((await slots.reserve(3)).waitMs);
    const second = 1000 + SLOT_SLACK_MS;
    expect(waits).toEqual([0, 0, 0, second, second, second, 2 * second]);
    // Time passing is time waited.
    clock += 600;
    expect((await slots.reserve(3)).waitMs).toBe(2 * second - 600);
  });

  it('gives a call no wait once a second has passed since the call N before it', async () => {
    let clock = 0;
    const slots = memoryCallSlots(() => clock);
    for (let i = 0; i < 3; i++) await slots.reserve(3);
    clock = 1000 + SLOT_SLACK_MS;
    expect((await slots.reserve(3)).waitMs).toBe(0);
  });
});

describe('memoryCallSlots, a call sent late', () => {
  it('spaces the slot N after it from when it was really sent, not from when it was planned', async () => {
    let clock = 0;
    const slots = memoryCallSlots(() => clock);
    const first = await slots.reserve(1);
    const second = await slots.reserve(1);
    expect([first.waitMs, second.waitMs]).toEqual([0, 1000 + SLOT_SLACK_MS]);
    // The first call went 65 ms after its turn (a busy event loop, a wait for a place in flight).
    clock = 65;
    slots.sent(first);
    clock = 1000 + SLOT_SLACK_MS;
    expect(await slots.due(second, 1)).toBe(65);
  });
});

describe('createVodCallBudget', () => {
  it('lets at most N calls through in any one-second window, in arrival order, all of them in the end', async () => {
    const budget = createVodCallBudget({ callsPerSecond: 5 });
    const started = performance.now();
    const order: number[] = [];
    const times = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        (await budget.take()).sent();
        order.push(i);
        return performance.now() - started;
      }),
    );
    expect(mostInAnyWindow(times)).toBeLessThanOrEqual(5);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // 12 calls at 5 a second: the last in the third second.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2000);
    // The last second's turns (the third second's 2, and maybe some of the second's, on a busy machine).
    expect(budget.callsInLastSecond()).toBeGreaterThanOrEqual(2);
    expect(budget.callsInLastSecond()).toBeLessThanOrEqual(5);
  });

  it('turns a call away at once when maxWaiting calls already wait, and says full() meanwhile', async () => {
    const budget = createVodCallBudget({ callsPerSecond: 1, maxWaiting: 2 });
    await budget.take();
    const waiting = [budget.take(), budget.take()];
    expect([budget.full(), budget.waiting()]).toEqual([true, 2]);
    await expect(budget.take()).rejects.toThrow(new VodRateLimitedError(1, '2 calls already wait their turn'));
    await Promise.all(waiting);
    expect([budget.full(), budget.waiting()]).toEqual([false, 0]);
  }, 10_000);

  it('turns a call away when its deadline passes before its turn', async () => {
    const budget = createVodCallBudget({ callsPerSecond: 1 });
    await budget.take();
    const error = await budget.take(AbortSignal.timeout(100)).catch((e: unknown) => e);
    expect(error).toEqual(new VodRateLimitedError(1, 'its turn came after its deadline'));
    expect(error).toMatchObject({ code: 'VOD_RATE_LIMITED', canRetry: true });
    expect(budget.waiting()).toBe(0);
  });

  it('turns a call away at once when its turn would come after its deadline, with no timer to wait for', async () => {
    const budget = createVodCallBudget({ callsPerSecond: 1 });
    await budget.take();
    const started = performance.now();
    const error = await budget.take(undefined, 500).catch((e: unknown) => e);
    expect(error).toEqual(new VodRateLimitedError(1, 'its turn would come after its deadline'));
    expect(performance.now() - started).toBeLessThan(200);
    expect(budget.waiting()).toBe(0);
  });

  it('turns a call away when the shared slots cannot be read, naming why', async () => {
    const budget = createVodCallBudget({
      callsPerSecond: 10,
      slots: {
        reserve: () => Promise.reject(new Error('connection terminated')),
        due: async () => 0,
        sent: () => undefined,
      },
    });
    await expect(budget.take()).rejects.toThrow(
      new VodRateLimitedError(10, 'no turn could be taken (connection terminated)'),
    );
  });

  it.each([0, 1.5, -1])('refuses a rate of %s, naming the option', (rate) => {
    expect(() => createVodCallBudget({ callsPerSecond: rate })).toThrow(/option "vodRateLimit"/);
  });
});
