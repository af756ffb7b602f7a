/**
 * The account's VOD call rate kept (VOD_RATE_LIMIT, `vodRateLimit`), against an emulator as strict
 * as VOD (it refuses calls past its rate): 90 distinct uploads at once with a rate of 10 reach VOD
 * at no more than 10 calls in any one-second window, from one replica and from three sharing
 * PostgreSQL, and every one succeeds; past its queue an upload is turned away before it is read;
 * the wait shows in /metrics and in the upload's log line.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator } from '../../src/emulator/server.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { openPostgresCoverStore } from '../../src/ledger/postgres-cover-store.js';
import { SLOT_SLACK_MS } from '../../src/vod/call-budget.js';
import { createTestDatabase } from '../../support/postgres.js';
import { imageVariant, images } from '../fixtures/images.js';
import { mostInAnyWindow } from '../helpers/call-windows.js';
import { TEST_VOD_OPTIONS } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

const RATE = 10;
const UPLOADS = 90;

/** 90 distinct uploads (each its own video and bytes) at once, spread over `urls` in turn. */
async function uploadAtOnce(urls: readonly string[]) {
  return Promise.all(
    Array.from({ length: UPLOADS }, async (_, i) =>
      resultOf(
        await sendUpload(urls[i % urls.length]!, {
          bytes: imageVariant(images.png, i),
          filename: 'cover.png',
          fileId: `rate-${i}`,
        }),
      ),
    ),
  );
}

/** A gateway of this test: API 3.0 (today's), the rate given, fast retries. */
function gatewayAt(emulatorUrl: string, options: Partial<Parameters<typeof createGateway>[0]> = {}): Gateway {
  return createGateway({
    vod: { ...DEV_CREDENTIAL, baseUrl: emulatorUrl, ...TEST_VOD_OPTIONS },
    vodRateLimit: RATE,
    logging: false,
    logger: false,
    ...options,
  });
}

describe('one replica', () => {
  it(`sends ${UPLOADS} distinct uploads at once at no more than ${RATE} calls in any second, and all succeed`, async () => {
    await using emulator = await startVodEmulator({ rateLimit: RATE });
    await using gateway = gatewayAt(emulator.url);
    const url = await gateway.listen(0, '127.0.0.1');
    const results = await uploadAtOnce([url]);
    expect(results.filter((r) => r.__typename === 'UploadVideoCoverSuccess')).toHaveLength(UPLOADS);
    expect(emulator.calls.filter((call) => call.why === 'rate limit')).toEqual([]);
    expect(emulator.calls).toHaveLength(UPLOADS);
    expect(mostInAnyWindow(emulator.calls.map((call) => call.receivedAt))).toBeLessThanOrEqual(RATE);
    // What waiting cost shows in /metrics: every call's wait, none turned away, the rate VOD saw.
    const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(new RegExp(`^vod_cover_vod_turn_wait_seconds_count ${UPLOADS}$`, 'm'));
    expect(metrics).toMatch(/^vod_cover_vod_turns_refused_total 0$/m);
    expect(Number(/^vod_cover_vod_calls_last_second (\d+)$/m.exec(metrics)?.[1])).toBeLessThanOrEqual(RATE);
  }, 60_000);

  it('without a rate of its own, meets the strict emulator refusing it (RequestLimitExceeded)', async () => {
    // The reason for the rate: uploads sent as they come exceed the account's.
    await using emulator = await startVodEmulator({ rateLimit: RATE });
    await using gateway = gatewayAt(emulator.url, {
      vodRateLimit: false,
      vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url, retry: { maxAttempts: 1 } },
    });
    const url = await gateway.listen(0, '127.0.0.1');
    const results = await uploadAtOnce([url]);
    const refused = results.filter((r) => r.__typename === 'UploadVideoCoverError');
    expect(refused.length).toBeGreaterThan(UPLOADS / 2);
    expect(refused[0]).toMatchObject({ reason: 'VOD_UNAVAILABLE', code: -20106, canRetry: true });
  }, 60_000);

  it('turns away an upload past its queue before reading its file, VOD_UNAVAILABLE -20014 with canRetry', async () => {
    await using emulator = await startVodEmulator({ rateLimit: false });
    await using gateway = gatewayAt(emulator.url, { vodRateLimit: 1, vodRateQueue: 1 });
    const url = await gateway.listen(0, '127.0.0.1');
    const send = (i: number, bytes = imageVariant(images.png, i)) =>
      sendUpload(url, { bytes, filename: 'cover.png', fileId: `queue-${i}` }).then(resultOf);
    // The first call takes the second's turn; the second waits for the next (the queue's one place).
    const first = send(1);
    const second = send(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = await send(3);
    expect(third).toEqual({
      __typename: 'UploadVideoCoverError',
      reason: 'VOD_UNAVAILABLE',
      code: -20014,
      canRetry: true,
      message:
        "VOD could not be reached: the account's VOD call rate (1 per second) is spent for now: 1 calls already wait their turn.",
    });
    expect((await first).__typename).toBe('UploadVideoCoverSuccess');
    expect((await second).__typename).toBe('UploadVideoCoverSuccess');
    expect(emulator.calls).toHaveLength(2);
  }, 20_000);
});

const postgres = inject('postgres');

describe.skipIf('missing' in postgres)('three replicas sharing PostgreSQL', () => {
  const adminUrl = 'adminUrl' in postgres ? postgres.adminUrl : '';
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase(adminUrl);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it(`keep ${RATE} calls a second together: ${UPLOADS} distinct uploads through all three, all succeed`, async () => {
    await using emulator = await startVodEmulator({ rateLimit: RATE });
    // Three real replicas, each its own process, as operators run them.
    const replicas = await Promise.all(
      [1, 2, 3].map(() =>
        startService({
          DATABASE_URL: database.url,
          VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
          VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
          VOD_BASE_URL: emulator.url,
          VOD_API: 'v3',
          VOD_RATE_LIMIT: String(RATE),
        }),
      ),
    );
    try {
      const results = await uploadAtOnce(replicas.map((replica) => replica.url));
      expect(results.filter((r) => r.__typename === 'UploadVideoCoverSuccess')).toHaveLength(UPLOADS);
      expect(emulator.calls.filter((call) => call.why === 'rate limit')).toEqual([]);
      expect(emulator.calls).toHaveLength(UPLOADS);
      expect(mostInAnyWindow(emulator.calls.map((call) => call.receivedAt))).toBeLessThanOrEqual(RATE);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  }, 90_000);

  it('do not lose the budget for long to a replica that died holding turns', async () => {
    // A database of its own: no turns of other tests in it.
    const own = await createTestDatabase(adminUrl);
    await using _dropped = { [Symbol.asyncDispose]: () => own.drop() };
    const dying = await openPostgresCoverStore({ connectionString: own.url });
    // A replica reserves a second's worth of turns, then dies before using them.
    for (let i = 0; i < RATE; i++) await dying.callSlots.reserve(RATE);
    await dying.close();
    const survivor = await openPostgresCoverStore({ connectionString: own.url });
    try {
      const { waitMs } = await survivor.callSlots.reserve(RATE);
      // The dead replica's turns pass with their second: the next call waits no longer than that.
      expect(waitMs).toBeGreaterThan(900);
      expect(waitMs).toBeLessThanOrEqual(1000 + SLOT_SLACK_MS);
    } finally {
      await survivor.close();
    }
  });
});

describe('npm start with VOD_RATE_LIMIT', () => {
  it('keeps the rate it is given, and says in each upload line how long its call waited its turn', async () => {
    await using service = await startService({ VOD_RATE_LIMIT: '2', LOG_LEVEL: 'info' });
    const results = await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        resultOf(
          await sendUpload(service.url, { bytes: imageVariant(images.png, i), filename: 'a.png', fileId: `log-${i}` }),
        ),
      ),
    );
    expect(results.map((r) => r.__typename)).toEqual(Array(4).fill('UploadVideoCoverSuccess'));
    const uploadLines = () =>
      service
        .printed()
        .split('\n')
        .filter((line) => line.includes('"msg":"upload"'));
    // The last line may still be on its way out of the process.
    for (let i = 0; i < 50 && uploadLines().length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    const waits = uploadLines().map((line) => (JSON.parse(line) as { turnWaitMs: number }).turnWaitMs);
    expect(waits).toHaveLength(4);
    // Two turns a second: two go at once, two wait about a second.
    expect(waits.filter((ms) => ms >= 900)).toHaveLength(2);
  }, 30_000);
});
