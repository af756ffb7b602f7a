/**
 * The emulator's rate, as strict as VOD's (issue 32): past `rateLimit` calls in any one second it
 * answers `RequestLimitExceeded` (API 3.0) or `4400` (legacy), unchecked, through real HTTP.
 * Real time: the assertions are on counts, with margins of hundreds of ms for a busy machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulatorOptions } from '../../src/emulator/server.js';
import { createApi3VodClient } from '../../src/vod/api3/client.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';
import { VodCode } from '../../src/vod/legacy/protocol.js';
import type { SetCoverResult, VodClientBaseOptions } from '../../src/vod/vod-client.js';
import { images, sha1 } from '../fixtures/images.js';
import { rawUpload } from '../helpers/raw-vod-request.js';

/** One try per call, and enough connections that a burst arrives at once. */
const CLIENT: VodClientBaseOptions = { ...DEV_CREDENTIAL, retry: { maxAttempts: 1 }, connections: 512 };

const APIS = [
  {
    api: 'legacy',
    client: (baseUrl: string) => createLegacyVodClient({ ...CLIENT, baseUrl }),
    refusal: { ok: false, code: VodCode.QUOTA_EXCEEDED, codeDesc: 'QuotaExceeded', canRetry: true },
    recordedCode: 4400,
  },
  {
    api: 'API 3.0',
    client: (baseUrl: string) => createApi3VodClient({ ...CLIENT, baseUrl }),
    refusal: { ok: false, vodErrorCode: 'RequestLimitExceeded', canRetry: true },
    recordedCode: -1,
  },
] as const;

async function startWith(options: VodEmulatorOptions, api: (typeof APIS)[number]) {
  const emulator = await startVodEmulator(options);
  const client = api.client(emulator.url);
  /** Sends `n` cover uploads at once; their results in order. */
  const burst = (n: number): Promise<SetCoverResult[]> =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.setCover({
          videoFileId: `rate-video-${i}`,
          fileName: 'c',
          fileType: 'jpg',
          body: images.jpg,
          sha1: sha1(images.jpg),
          size: images.jpg.length,
        }),
      ),
    );
  return {
    emulator,
    burst,
    async [Symbol.asyncDispose]() {
      await client.close();
      await emulator.close();
    },
  };
}

const accepted = (results: SetCoverResult[]) => results.filter((r) => r.ok).length;

describe.each(APIS)('the emulator past its rate, $api', (api) => {
  it('accepts 5 of 8 calls sent at once with rateLimit 5 and refuses 3 as retryable, unchecked', async () => {
    await using vod = await startWith({ rateLimit: 5 }, api);
    const results = await vod.burst(8);
    expect(accepted(results)).toBe(5);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r).toMatchObject(api.refusal);
    const records = vod.emulator.calls.filter((c) => c.why === 'rate limit');
    expect(records).toHaveLength(3);
    for (const c of records) expect(c).toMatchObject({ status: 200, code: api.recordedCode, outcome: 'answered' });
    expect(records.every((c) => c.fault === undefined)).toBe(true);
    expect(vod.emulator.covers.list()).toHaveLength(5);
  });

  it('accepts calls again once the window has passed', async () => {
    await using vod = await startWith({ rateLimit: 5 }, api);
    expect(accepted(await vod.burst(8))).toBe(5);
    await sleep(1050);
    expect(accepted(await vod.burst(5))).toBe(5);
  });

  it('counts over a sliding second: 5 more at +600 ms are refused, and at +1050 ms accepted', async () => {
    await using vod = await startWith({ rateLimit: 5 }, api);
    expect(accepted(await vod.burst(5))).toBe(5);
    // Timed from the end of the burst, so that every call of it arrived before.
    const firstDone = performance.now();
    await sleep(600);
    expect(accepted(await vod.burst(5))).toBe(0);
    // The refused calls did not count: at +1050 ms the window holds none of the accepted ones.
    await sleep(Math.max(0, firstDone + 1050 - performance.now()));
    expect(accepted(await vod.burst(5))).toBe(5);
  });

  it('answers 100 calls a second by default: 100 of 110 sent at once accepted', async () => {
    await using vod = await startWith({}, api);
    const results = await vod.burst(110);
    expect(accepted(results)).toBe(100);
    expect(vod.emulator.calls.filter((c) => c.why === 'rate limit')).toHaveLength(10);
  });

  it('answers every call with rateLimit false: 300 sent at once all accepted', async () => {
    await using vod = await startWith({ rateLimit: false }, api);
    expect(accepted(await vod.burst(300))).toBe(300);
  });

  it('takes a new rate at run time from setRateLimit, and reset() empties the window', async () => {
    await using vod = await startWith({ rateLimit: 5 }, api);
    vod.emulator.setRateLimit(2);
    expect(accepted(await vod.burst(4))).toBe(2);
    vod.emulator.setRateLimit(false);
    expect(accepted(await vod.burst(20))).toBe(20);
    vod.emulator.setRateLimit(3);
    vod.emulator.reset();
    expect(accepted(await vod.burst(5))).toBe(3);
  });
});

describe('the refusals as each API words them', () => {
  it('answers the legacy API with API 2.0 common error 4400, canRetry 1, HTTP 200', async () => {
    await using emulator = await startVodEmulator({ rateLimit: 1 });
    expect((await rawUpload({ baseUrl: emulator.url })).json).toMatchObject({ code: 0 });
    const refused = await rawUpload({ baseUrl: emulator.url });
    expect(refused.status).toBe(200);
    expect(refused.json).toEqual({
      code: 4400,
      message: 'Quota exceeded: the number of requests exceeded the quota',
      codeDesc: 'QuotaExceeded',
      canRetry: 1,
    });
  });

  it('refuses a call past the rate before checking it: a bad signature is not looked at', async () => {
    await using emulator = await startVodEmulator({ rateLimit: 1 });
    await rawUpload({ baseUrl: emulator.url });
    const refused = await rawUpload({ baseUrl: emulator.url, tamper: (s) => `x${s}` });
    expect(refused.json).toMatchObject({ code: 4400 });
  });

  it('does not spend an injected fault on a refused call', async () => {
    await using emulator = await startVodEmulator({ rateLimit: 1 });
    await rawUpload({ baseUrl: emulator.url });
    emulator.inject({ kind: 'answer', code: VodCode.CACHE_WRITE, canRetry: 1 });
    expect((await rawUpload({ baseUrl: emulator.url })).json).toMatchObject({ code: 4400 });
    await sleep(1050);
    expect((await rawUpload({ baseUrl: emulator.url })).json).toMatchObject({ code: VodCode.CACHE_WRITE });
  });

  it('rejects a rate that is not a whole number ≥ 1, naming the option', async () => {
    await expect(startVodEmulator({ rateLimit: 0 })).rejects.toThrow(/option "rateLimit"/);
    await expect(startVodEmulator({ rateLimit: 1.5 })).rejects.toThrow(/option "rateLimit"/);
  });
});
