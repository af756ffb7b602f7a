import { inspect } from 'node:util';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createLegacyVodClient, parseAnswer, type LegacyVodClientOptions } from '../../src/vod/legacy/client.js';
import {
  VodBadResponseError,
  VodConnectionError,
  VodHttpStatusError,
  VodTimeoutError,
  VodTransportError,
} from '../../src/vod/errors.js';
import { VodCode } from '../../src/vod/legacy/protocol.js';
import { sha1 as sha1Of } from '../fixtures/images.js';
import { useEmulator } from '../helpers/emulator.js';

const emulator = useEmulator();
const SECRET_KEY = DEV_CREDENTIAL.secretKey;
const bytes = Buffer.from('\x89PNG\r\n\x1a\n client test cover', 'latin1');
const sha1 = sha1Of(bytes);
const input = {
  videoFileId: '9031868222807461771',
  fileName: 'cover',
  fileType: 'png',
  body: bytes,
  sha1,
  size: bytes.length,
};

const clients: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
function client(options: Partial<LegacyVodClientOptions> = {}) {
  const c = createLegacyVodClient({
    ...DEV_CREDENTIAL,
    baseUrl: emulator().url,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  clients.push(c);
  return c;
}

describe('createLegacyVodClient → emulator', () => {
  it('uploads a cover and gets its fileId and url', async () => {
    const result = await client().setCover(input);
    expect(result).toMatchObject({ ok: true, code: 0, instant: false, attempts: 1 });
    const stored = emulator().covers.list();
    expect(stored).toHaveLength(1);
    expect(result).toMatchObject({ fileId: stored[0]!.fileId, url: stored[0]!.url });
    expect(stored[0]!.bytes.equals(bytes)).toBe(true);
  });

  it('reports an instant upload for the same bytes again', async () => {
    const vod = client();
    const first = await vod.setCover(input);
    const second = await vod.setCover(input);
    expect(second).toMatchObject({ ok: true, code: 2, instant: true });
    expect(second.ok && first.ok && second.fileId === first.fileId && second.url === first.url).toBe(true);
  });

  it('sends chunks in order without joining them', async () => {
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 10), bytes.subarray(10)];
    const result = await client().setCover({ ...input, body: chunks });
    expect(result).toMatchObject({ ok: true, code: 0 });
    expect(emulator().covers.list()[0]!.bytes.equals(bytes)).toBe(true);
  });

  it('sends a non-ASCII file name once encoded', async () => {
    await client().setCover({ ...input, fileName: '封面 1', fileType: 'jpg' });
    expect(emulator().covers.list()[0]).toMatchObject({ fileName: '封面 1', fileType: 'jpg' });
  });

  it.each(['HmacSHA1', 'HmacSHA256'] as const)('signs with %s on /v3/index.php', async (signatureMethod) => {
    const result = await client({ signatureMethod, path: '/v3/index.php' }).setCover(input);
    expect(result).toMatchObject({ ok: true, code: 0 });
  });

  it('works through an injected dispatcher', async () => {
    const agent = new Agent();
    try {
      const result = await client({ dispatcher: agent }).setCover(input);
      expect(result).toMatchObject({ ok: true });
    } finally {
      await agent.close();
    }
  });

  it('returns a VOD rejection as a failure result, with its code and canRetry', async () => {
    const result = await client({ secretKey: 'wrong-key' }).setCover(input);
    expect(result).toEqual({
      ok: false,
      code: VodCode.SIGNATURE,
      message: 'signature check failed',
      codeDesc: 'SignatureError',
      canRetry: false,
      attempts: 1,
    });
    expect(emulator().callCount).toBe(1);
  });

  it('answers a SHA-1 that does not match the body with -10006', async () => {
    const result = await client().setCover({ ...input, sha1: 'a'.repeat(40) });
    expect(result).toMatchObject({ ok: false, code: VodCode.PACKET_SIZE });
  });
});

describe('retries', () => {
  it('retries two canRetry 1 answers, then succeeds: 3 calls', async () => {
    emulator().inject({ kind: 'answer', code: -10004, canRetry: 1 }, 2);
    const result = await client().setCover(input);
    expect(result).toMatchObject({ ok: true, code: 0, attempts: 3 });
    expect(emulator().callCount).toBe(3);
  });

  it('gives up after 3 attempts and returns the last answer', async () => {
    emulator().inject({ kind: 'answer', code: -10005, canRetry: 1 }, 5);
    const result = await client().setCover(input);
    expect(result).toMatchObject({ ok: false, code: -10005, canRetry: true, attempts: 3 });
    expect(emulator().callCount).toBe(3);
  });

  it('never retries a canRetry 0 answer: exactly 1 call', async () => {
    emulator().inject({ kind: 'answer', code: -10004, canRetry: 0 }, 3);
    const result = await client().setCover(input);
    expect(result).toMatchObject({ ok: false, code: -10004, canRetry: false, attempts: 1 });
    expect(emulator().callCount).toBe(1);
  });

  it('honours maxAttempts', async () => {
    emulator().inject({ kind: 'answer', code: -10004, canRetry: 1 }, 5);
    await client({ retry: { maxAttempts: 1 } }).setCover(input);
    expect(emulator().callCount).toBe(1);
  });

  it('uses a fresh Nonce and Timestamp per attempt (the emulator would otherwise see a replay)', async () => {
    emulator().inject({ kind: 'status', status: 503 }, 1);
    let t = 1_700_000_000_000;
    const result = await client({ now: () => (t += 1000) })
      .setCover(input)
      .catch((e: unknown) => e);
    // The injected clock is far from the emulator's: both attempts are signed, and both rejected as stale.
    expect(result).toMatchObject({ ok: false, code: VodCode.COMMON_PARAMS, attempts: 2 });
  });
});

describe('transport failures are typed errors', () => {
  it('a 502 is retried, then thrown as VodHttpStatusError', async () => {
    emulator().inject({ kind: 'status', status: 502 }, 3);
    const error = await client()
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VodHttpStatusError);
    expect(error).toMatchObject({ code: 'VOD_HTTP_STATUS', status: 502, canRetry: true, attempts: 3 });
  });

  it.each([
    ['seconds', '1'],
    ['an HTTP-date', () => new Date(Date.now() + 1500).toUTCString()],
  ])('waits what a 503 Retry-After in %s asks for, not the backoff, before trying again', async (_form, value) => {
    const retryAfter = typeof value === 'function' ? value() : value;
    emulator().inject({ kind: 'status', status: 503, retryAfter }, 1);
    expect(await client().setCover(input)).toMatchObject({ ok: true, attempts: 2 });
    const [first, second] = emulator().calls;
    // The backoff here is at most 20 ms; the HTTP-date has a resolution of 1 s.
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(480);
  });

  it('gives up at once when a 429 Retry-After would pass the call deadline', async () => {
    emulator().inject({ kind: 'status', status: 429, retryAfter: '120' }, 1);
    const error = await client({ retry: { baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 5000 } })
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VOD_HTTP_STATUS',
      status: 429,
      canRetry: true,
      attempts: 1,
      retryAfterMs: 120_000,
    });
    expect(emulator().callCount).toBe(1);
  });

  it('retries a 500 after its backoff, not the Retry-After it carries (only 429 and 503 set the wait)', async () => {
    emulator().inject({ kind: 'status', status: 500, retryAfter: '120' }, 1);
    const result = await client({ retry: { baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 5000 } })
      .setCover(input)
      .catch((e: unknown) => e);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    const [first, second] = emulator().calls;
    expect(second!.receivedAt - first!.receivedAt).toBeLessThan(2000);
  });

  it('a 404 is not retried', async () => {
    const error = await client({ path: '/nowhere.php' })
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VOD_HTTP_STATUS', status: 404, canRetry: false, attempts: 1 });
  });

  it('a dropped connection → VodConnectionError after the retries', async () => {
    emulator().inject({ kind: 'drop' }, 3);
    const error = await client()
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VodConnectionError);
    expect(error).toMatchObject({ code: 'VOD_CONNECTION', attempts: 3 });
    expect(emulator().callCount).toBe(3);
  });

  it('a dropped connection once, then success', async () => {
    emulator().inject({ kind: 'drop' }, 1);
    expect(await client().setCover(input)).toMatchObject({ ok: true, attempts: 2 });
  });

  it('malformed JSON → VodBadResponseError', async () => {
    emulator().inject({ kind: 'malformed' }, 3);
    const error = await client()
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VodBadResponseError);
    expect(error).toMatchObject({ code: 'VOD_BAD_RESPONSE', attempts: 3 });
  });

  // undici checks its socket timeouts on a ~1 s tick, so a 100 ms timeout fires within ~1 s.
  it('no answer within headersTimeout → VodTimeoutError', async () => {
    emulator().inject({ kind: 'delay', ms: 5000 }, 3);
    const started = Date.now();
    const error = await client({ headersTimeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 5 } })
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VodTimeoutError);
    expect(error).toMatchObject({ code: 'VOD_TIMEOUT', phase: 'headers', attempts: 2 });
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it('the overall deadline ends the call even between long attempts', async () => {
    emulator().inject({ kind: 'delay', ms: 2000 }, 3);
    const started = Date.now();
    const error = await client({ retry: { deadlineMs: 300 } })
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VOD_TIMEOUT', phase: 'deadline', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a refused connection → VodConnectionError', async () => {
    const error = await client({ baseUrl: 'http://127.0.0.1:1', retry: { maxAttempts: 2, baseDelayMs: 1 } })
      .setCover(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VodConnectionError);
    expect(error).toMatchObject({ attempts: 2, cause: { code: 'ECONNREFUSED' } });
  });

  it('an abort by the caller stops at once, without retries', async () => {
    emulator().inject({ kind: 'delay', ms: 2000 }, 3);
    const error = await client()
      .setCover({ ...input, signal: AbortSignal.timeout(100) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VOD_ABORTED', attempts: 1 });
  });
});

describe('the SecretKey stays secret', () => {
  const failures: [string, () => void, Partial<LegacyVodClientOptions>][] = [
    ['a 502', () => emulator().inject({ kind: 'status', status: 502 }, 3), {}],
    ['a drop', () => emulator().inject({ kind: 'drop' }, 3), {}],
    ['malformed JSON', () => emulator().inject({ kind: 'malformed' }, 3), {}],
    [
      'a timeout',
      () => emulator().inject({ kind: 'delay', ms: 1000 }, 3),
      { headersTimeoutMs: 50, retry: { maxAttempts: 1 } },
    ],
    ['a refused connection', () => undefined, { baseUrl: 'http://127.0.0.1:1' }],
  ];
  it.each(failures)('is absent from the error of %s, however it is printed', async (_name, arrange, options) => {
    arrange();
    const error = (await client(options)
      .setCover(input)
      .catch((e: unknown) => e)) as VodTransportError;
    expect(error).toBeInstanceOf(VodTransportError);
    const printed = [
      String(error),
      error.stack ?? '',
      JSON.stringify(error),
      JSON.stringify(error.cause ?? null),
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(Object.getOwnPropertyDescriptors(error)),
    ].join('\n');
    expect(printed).not.toContain(SECRET_KEY);
  });

  it('is absent from the client object and a rejection result', async () => {
    const vod = client({ secretKey: `${SECRET_KEY}x` });
    const result = await vod.setCover(input);
    const printed = inspect(vod, { depth: 10, showHidden: true }) + JSON.stringify(result) + inspect(result);
    expect(printed).not.toContain(SECRET_KEY);
  });

  it('is absent from an option error', () => {
    expect(() => createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: 'ftp://x' })).toThrow(/option "baseUrl"/);
    expect(() => createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: 'https://u:hunter2@vod.example.com' })).toThrow(
      'createLegacyVodClient: option "baseUrl" must not hold credentials (user:password@), VOD authenticates by signature: "https://[redacted]@vod.example.com"',
    );
    let thrown: unknown;
    try {
      createLegacyVodClient({ ...DEV_CREDENTIAL, region: 'GZ' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toContain('option "region"');
    expect(inspect(thrown)).not.toContain(SECRET_KEY);
  });
});

describe('options are checked at construction', () => {
  it.each<[string, Partial<LegacyVodClientOptions>]>([
    ['secretId', { secretId: '' }],
    ['secretKey', { secretKey: '' }],
    ['baseUrl', { baseUrl: 'not a url' }],
    ['baseUrl', { baseUrl: 'http://h/some/path' }],
    ['path', { path: 'v2/index.php' }],
    ['region', { region: 'Guangzhou' }],
    ['signatureMethod', { signatureMethod: 'HmacMD5' as never }],
    ['headersTimeoutMs', { headersTimeoutMs: -1 }],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
  ])('names "%s" when it is bad', (name, options) => {
    expect(() => createLegacyVodClient({ ...DEV_CREDENTIAL, ...options })).toThrow(`option "${name}"`);
  });
});

describe('parseAnswer', () => {
  it('keeps a fileId sent as a JSON number digit for digit', () => {
    const result = parseAnswer('{"code":0,"fileId":11868222811305801999,"url":"http://x/y.jpg"}');
    expect(result).toMatchObject({ ok: true, fileId: '11868222811305801999' });
  });

  it('tolerates unknown fields', () => {
    expect(parseAnswer('{"code":0,"fileId":"1","url":"http://x/y.jpg","extra":{"a":1,"fileId":2}}')).toMatchObject({
      ok: true,
      fileId: '1',
    });
  });

  it.each([
    '',
    'null',
    '[]',
    '{"code":"0"}',
    '{"code":0}',
    '{"code":0,"fileId":"1"}',
    '{"code":0,"fileId":1e400,"url":"http://x/y.jpg"}',
    '{"code":0,"fileId":1.5,"url":"http://x/y.jpg"}',
    '{"code":0,"fileId":"12a","url":"http://x/y.jpg"}',
    '{"code":0,"nested":{"fileId":123},"url":"http://x/y.jpg"}',
    '{"code":0,"fileId":"1","url":"javascript:alert(1)"}',
    '{"code":0,"fileId":"1","url":"u"}',
  ])('rejects %j', (text) => {
    expect(() => parseAnswer(text)).toThrow(VodBadResponseError);
  });

  it('treats code 1 (multipart only) as a failure', () => {
    expect(parseAnswer('{"code":1,"canRetry":0}')).toMatchObject({ ok: false, code: 1, canRetry: false });
  });
});
