/**
 * A credentials read that never finishes (issue 28, item 8): a `credentials` provider that never
 * answers counts against the VOD call's deadline (VOD_UNAVAILABLE with the VOD_CREDENTIALS
 * transport code, canRetry, within VOD_DEADLINE_MS), frees its VOD call place, is asked again after
 * `credentialsTimeoutMs`, and keeps `/ready` at 503 while no credentials can be had.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { createCredentialSource } from '../../src/vod/credentials.js';
import type { ExpiringCredentials } from '../../src/vod/vod-client.js';
import { imageVariant, images } from '../fixtures/images.js';
import { TEST_VOD_OPTIONS } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';

const NEVER = () => new Promise<never>(() => undefined);
/** Longer than any answer here may take: the old code's hang shows as this, not as a test timeout. */
const STILL_WAITING_MS = 8000;

/** The work's value, or 'still waiting' once `ms` have passed. */
function orStillWaiting<T>(work: Promise<T>, ms = STILL_WAITING_MS): Promise<T | 'still waiting'> {
  return Promise.race([work, sleep(ms, 'still waiting' as const)]);
}

/** A gateway on an emulator whose VOD client asks `credentials` for what it signs with. */
async function gatewayWith(
  credentials: () => ExpiringCredentials | Promise<ExpiringCredentials>,
  options: { vodApi?: 'legacy' | 'v3'; deadlineMs?: number; credentialsTimeoutMs?: number; places?: number } = {},
) {
  const emulator = await startVodEmulator();
  const gateway = createGateway({
    ...(options.vodApi ? { vodApi: options.vodApi } : {}),
    vod: {
      baseUrl: emulator.url,
      ...TEST_VOD_OPTIONS,
      retry: { ...TEST_VOD_OPTIONS.retry, deadlineMs: options.deadlineMs ?? 1000 },
      ...(options.credentialsTimeoutMs === undefined ? {} : { credentialsTimeoutMs: options.credentialsTimeoutMs }),
      credentials,
    },
    ...(options.places === undefined ? {} : { maxConcurrentVodCalls: options.places, vodQueueTimeoutMs: 100 }),
    logger: false,
    logging: false,
    // Ends the old code's hung uploads when the test closes the gateway.
    shutdownGraceMs: 100,
  });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    url,
    emulator,
    ready: async () => {
      const res = await fetch(new URL('/ready', url));
      return { status: res.status, body: (await res.json()) as unknown };
    },
    async [Symbol.asyncDispose]() {
      await gateway.close();
      await emulator.close();
    },
  };
}

const CREDENTIALS_FAILED = {
  __typename: 'UploadVideoCoverError',
  reason: 'VOD_UNAVAILABLE',
  code: -20013,
  canRetry: true,
  message:
    'VOD could not be reached: VOD credentials could not be read: the credentials provider did not answer within the VOD deadline.',
};

describe.each(['legacy', 'v3'] as const)('a credentials provider that never answers, on the %s API', (vodApi) => {
  it('ends the upload at VOD_DEADLINE_MS with VOD_UNAVAILABLE, code VOD_CREDENTIALS (-20013), canRetry', async () => {
    await using h = await gatewayWith(NEVER, { vodApi, deadlineMs: 1000 });
    const started = performance.now();
    const answer = await orStillWaiting(sendUpload(h.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    const elapsed = performance.now() - started;
    expect(answer === 'still waiting' ? answer : resultOf(answer)).toEqual(CREDENTIALS_FAILED);
    // The deadline and not before it; generous above it for a busy machine.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1000 + 3000);
    expect(h.emulator.calls).toEqual([]);
  });
});

describe('a credentials provider that never answers', () => {
  it('frees its VOD call place: with one place, the next upload gets the same answer, not GATEWAY_BUSY', async () => {
    await using h = await gatewayWith(NEVER, { deadlineMs: 500, places: 1 });
    const first = await orStillWaiting(sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg' }));
    const second = await orStillWaiting(sendUpload(h.url, { bytes: images.png, filename: 'b.png' }));
    for (const answer of [first, second])
      expect(answer === 'still waiting' ? answer : resultOf(answer)).toEqual(CREDENTIALS_FAILED);
  });

  it('keeps /ready at 503 (vod: false) while it does not answer, and 200 once it does; then uploads succeed', async () => {
    let answering = false;
    await using h = await gatewayWith(() => (answering ? DEV_CREDENTIAL : NEVER()), {
      deadlineMs: 2000,
      credentialsTimeoutMs: 300,
    });
    const notReady = await orStillWaiting(h.ready());
    expect(notReady).toEqual({
      status: 503,
      body: { status: 'not ready', checks: { ledger: true, vod: false, accepting: true } },
    });
    answering = true;
    // /ready reuses its VOD answer for 5 s: asked until it changes, for at most 12 s.
    let ready = await h.ready();
    for (let i = 0; i < 60 && ready.status !== 200; i++) {
      await sleep(200);
      ready = await h.ready();
    }
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', checks: { ledger: true, vod: true, accepting: true } },
    });
    const answer = resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(answer.__typename).toBe('UploadVideoCoverSuccess');
  });

  it('that hung once is asked again after credentialsTimeoutMs, within the same upload, which succeeds', async () => {
    let asked = 0;
    await using h = await gatewayWith(() => (++asked === 1 ? NEVER() : DEV_CREDENTIAL), {
      deadlineMs: 5000,
      credentialsTimeoutMs: 300,
    });
    const started = performance.now();
    const answer = await orStillWaiting(sendUpload(h.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    const elapsed = performance.now() - started;
    expect(answer === 'still waiting' ? answer : resultOf(answer).__typename).toBe('UploadVideoCoverSuccess');
    expect(asked).toBe(2);
    // The 300 ms given up on, not the 5 s deadline.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3000);
  });

  it('holds up no upload while credentials still valid are kept: a due refresh that hangs runs beside them', async () => {
    let clock = 0;
    let asked = 0;
    const source = createCredentialSource(
      () => (++asked === 1 ? { ...DEV_CREDENTIAL, expiresAt: 1_000_000 } : NEVER()),
      {
        now: () => clock,
      },
    );
    await source.current();
    // Past refreshAt (expiresAt − 5 min), before expiresAt: the refresh is asked for and hangs.
    clock = 800_000;
    expect(await orStillWaiting(source.current(), 1000)).toEqual(DEV_CREDENTIAL);
    expect(await orStillWaiting(source.current(), 1000)).toEqual(DEV_CREDENTIAL);
    expect(asked).toBe(2);
  });
});

describe('many uploads while the provider never answers', () => {
  it('each end at the deadline with the same answer; none is left waiting', async () => {
    await using h = await gatewayWith(NEVER, { deadlineMs: 800 });
    const answers = await orStillWaiting(
      Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          sendUpload(h.url, { bytes: imageVariant(images.jpg, i), filename: 'c.jpg', fileId: `v-${i}` }).then(resultOf),
        ),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 16 }, () => CREDENTIALS_FAILED));
  });
});
