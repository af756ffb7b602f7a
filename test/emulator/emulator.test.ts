import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { VodCode } from '../../src/vod/legacy/protocol.js';
import { sha1 } from '../fixtures/images.js';
import { useEmulator } from '../helpers/emulator.js';
import { SAMPLE_BODY, buildSignedQuery, rawUpload, type RawUploadOptions } from '../helpers/raw-vod-request.js';
import { sendThenHangUp } from '../helpers/raw-socket.js';

const emulator = useEmulator();
const upload = (options: Omit<RawUploadOptions, 'baseUrl'> = {}) => rawUpload({ baseUrl: emulator().url, ...options });
const hoursAgo = (h: number) => String(Math.floor(Date.now() / 1000) - h * 3600);
const flipFirstChar = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

describe('the emulator accepts a correctly signed upload', () => {
  it('answers code 0 with a numeric-string cover fileId and a url serving the same bytes', async () => {
    const answer = await upload();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ code: 0, canRetry: 0, message: '', codeDesc: '' });
    const { fileId, url } = answer.json as { fileId: string; url: string };
    expect(fileId).toMatch(/^[0-9]{17,19}$/);
    expect(Number(fileId)).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(url).toBe(`${emulator().url}/vod1250000000/9031868222807461771/${fileId}.jpg`);

    const served = await request(url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(sha1(Buffer.from(await served.body.arrayBuffer()))).toBe(sha1(SAMPLE_BODY));
  });

  it('answers code 2 with the same fileId and url for the same bytes and video', async () => {
    const first = await upload();
    const second = await upload({ params: { fileName: 'another name' } });
    expect(second.json).toMatchObject({ code: 2, fileId: first.json!['fileId'], url: first.json!['url'] });
    expect(emulator().covers.list()).toHaveLength(1);
  });

  it('stores the same bytes for another video as a new cover', async () => {
    const first = await upload();
    const other = await upload({ params: { 'extra.fileId': 'other-video' } });
    expect(other.json!['code']).toBe(0);
    expect(other.json!['fileId']).not.toBe(first.json!['fileId']);
  });

  it.each([
    ['HmacSHA256 on /v2/index.php', { params: { SignatureMethod: 'HmacSHA256' } }],
    ['HmacSHA1 named explicitly', { params: { SignatureMethod: 'HmacSHA1' } }],
    ['the /v3/index.php path', { path: '/v3/index.php' }],
    ['a non-ASCII file name with a space', { params: { fileName: '封面 1' } }],
    ['a 40-character name', { params: { fileName: 'é'.repeat(40) } }],
    ['an upper-case fileSha', { params: { fileSha: sha1(SAMPLE_BODY).toUpperCase() } }],
    ['a Token', { params: { Token: 'temporary+token/=' } }],
    ['a Timestamp 1 h 59 min old', { params: { Timestamp: String(Math.floor(Date.now() / 1000) - 7140) } }],
  ])('accepts %s', async (_name, options) => {
    const answer = await upload(options);
    expect(answer.json).toMatchObject({ code: 0 });
  });

  it('serves a stored cover to HEAD and answers 404 elsewhere', async () => {
    const { url } = (await upload()).json as { url: string };
    const head = await request(url, { method: 'HEAD' });
    expect(head.headers['content-length']).toBe(String(SAMPLE_BODY.length));
    await head.body.dump();
    const missing = await request(`${emulator().url}/vod1250000000/x/1.jpg`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });
});

describe('the emulator rejects what the contract rejects, with the code of the table', () => {
  const big = Buffer.alloc(1_048_577, 1);
  it.each<[string, Omit<RawUploadOptions, 'baseUrl'>, number]>([
    ['a missing Action', { params: { Action: null } }, VodCode.COMMON_PARAMS],
    ['an unknown Action', { params: { Action: 'DescribeInstances' } }, VodCode.COMMON_PARAMS],
    ['a missing Region', { params: { Region: null } }, VodCode.COMMON_PARAMS],
    ['a malformed Region', { params: { Region: 'GZ!' } }, VodCode.COMMON_PARAMS],
    ['a missing Timestamp', { params: { Timestamp: null } }, VodCode.COMMON_PARAMS],
    ['a Timestamp in milliseconds', { params: { Timestamp: String(Date.now()) } }, VodCode.COMMON_PARAMS],
    [
      'a Timestamp 2 h 1 min old',
      { params: { Timestamp: String(Math.floor(Date.now() / 1000) - 7260) } },
      VodCode.COMMON_PARAMS,
    ],
    ['a Timestamp 3 h ahead', { params: { Timestamp: hoursAgo(-3) } }, VodCode.COMMON_PARAMS],
    ['a missing Nonce', { params: { Nonce: null } }, VodCode.COMMON_PARAMS],
    ['a negative Nonce', { params: { Nonce: '-5' } }, VodCode.COMMON_PARAMS],
    ['a missing SecretId', { params: { SecretId: null } }, VodCode.COMMON_PARAMS],
    ['an unknown SignatureMethod', { params: { SignatureMethod: 'HmacMD5' } }, VodCode.COMMON_PARAMS],
    ['an unknown SecretId', { secretId: 'AKIDnobody' }, VodCode.SIGNATURE],
    ['a wrong SecretKey', { secretKey: 'not-the-key' }, VodCode.SIGNATURE],
    ['one changed character of the signature', { tamper: flipFirstChar }, VodCode.SIGNATURE],
    ['a signature made for GET', { signedMethod: 'GET' }, VodCode.SIGNATURE],
    ['a signature made for another path', { path: '/v3/index.php', signedPath: '/v2/index.php' }, VodCode.SIGNATURE],
    ['a signature made for another host', { signedHost: 'vod2.qcloud.com' }, VodCode.SIGNATURE],
    ['a missing fileName', { params: { fileName: null } }, VodCode.PROTOCOL_PARAMS],
    ['an empty fileName', { params: { fileName: '' } }, VodCode.PROTOCOL_PARAMS],
    ['a fileName of 41 characters', { params: { fileName: 'a'.repeat(41) } }, VodCode.PROTOCOL_PARAMS],
    ...['\\', '/', ':', '*', '?', '"', '<', '>', '|'].map((c): [string, Omit<RawUploadOptions, 'baseUrl'>, number] => [
      `a fileName with ${c}`,
      { params: { fileName: `a${c}b` } },
      VodCode.PROTOCOL_PARAMS,
    ]),
    ['a missing fileSha', { params: { fileSha: null } }, VodCode.PROTOCOL_PARAMS],
    ['a fileSha of 39 characters', { params: { fileSha: 'a'.repeat(39) } }, VodCode.PROTOCOL_PARAMS],
    ['a missing fileSize', { params: { fileSize: null } }, VodCode.PROTOCOL_PARAMS],
    ['a fileSize of 0', { params: { fileSize: '0', dataSize: '0' } }, VodCode.PROTOCOL_PARAMS],
    ['a fileSize over 1 MiB', { body: big }, VodCode.PROTOCOL_PARAMS],
    ['a missing dataSize', { params: { dataSize: null } }, VodCode.PROTOCOL_PARAMS],
    ['a dataSize that differs from fileSize', { params: { dataSize: '5' } }, VodCode.PROTOCOL_PARAMS],
    ['a missing fileType', { params: { fileType: null } }, VodCode.PROTOCOL_PARAMS],
    ['a fileType with a dot', { params: { fileType: '.jpg' } }, VodCode.PROTOCOL_PARAMS],
    ['a missing extra.usage', { params: { 'extra.usage': null } }, VodCode.PROTOCOL_PARAMS],
    ['extra.usage 2', { params: { 'extra.usage': '2' } }, VodCode.PROTOCOL_PARAMS],
    ['a missing extra.fileId', { params: { 'extra.fileId': null } }, VodCode.PROTOCOL_PARAMS],
    ['an extra.fileId with a slash', { params: { 'extra.fileId': 'a/b' } }, VodCode.PROTOCOL_PARAMS],
    ['a body shorter than dataSize', { params: { fileSize: '100', dataSize: '100' } }, VodCode.PACKET_SIZE],
    ['a body longer than dataSize', { params: { fileSize: '10', dataSize: '10' } }, VodCode.PACKET_SIZE],
    ['a body whose SHA-1 differs from fileSha', { params: { fileSha: 'a'.repeat(40) } }, VodCode.PACKET_SIZE],
  ])('answers %s with code %i', async (_name, options, code) => {
    const answer = await upload(options);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ code, canRetry: 0, message: expect.stringMatching(/.+/) });
    expect(answer.json).not.toHaveProperty('fileId');
  });

  it.each<[string, Omit<RawUploadOptions, 'baseUrl'>, number]>([
    [
      'a stale Timestamp before a bad signature',
      { params: { Timestamp: hoursAgo(3) }, tamper: flipFirstChar },
      VodCode.COMMON_PARAMS,
    ],
    [
      'a bad signature before a bad fileName',
      { params: { fileName: 'a:b' }, tamper: flipFirstChar },
      VodCode.SIGNATURE,
    ],
    [
      'a bad fileName before a short body',
      { params: { fileName: 'a:b', fileSize: '100', dataSize: '100' } },
      VodCode.PROTOCOL_PARAMS,
    ],
  ])('checks in order of precedence: %s', async (_name, options, code) => {
    expect((await upload(options)).json).toMatchObject({ code });
  });

  it('stores nothing for a rejected upload', async () => {
    await upload({ tamper: flipFirstChar });
    await upload({ params: { fileSha: 'a'.repeat(40) } });
    expect(emulator().covers.list()).toHaveLength(0);
    expect(emulator().callCount).toBe(2);
  });
});

describe('the emulator survives hostile requests', () => {
  it('answers a garbage query with -10001 and keeps serving', async () => {
    const res = await request(`${emulator().url}/v2/index.php?%E0%A4%A=&&=&Action=Small%ZZ`, {
      method: 'POST',
      body: 'x',
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ code: VodCode.COMMON_PARAMS });
    expect((await upload()).json).toMatchObject({ code: 0 });
  });

  it('answers a repeated parameter with -10001', async () => {
    const query = buildSignedQuery({ baseUrl: emulator().url });
    const res = await request(`${emulator().url}/v2/index.php?${query}&Region=sh`, {
      method: 'POST',
      body: SAMPLE_BODY,
    });
    expect(await res.body.json()).toMatchObject({ code: VodCode.COMMON_PARAMS });
  });

  it('refuses GET on the action path with 405', async () => {
    const res = await request(`${emulator().url}/v2/index.php?Action=SmallFileUpload`);
    expect(res.statusCode).toBe(405);
    await res.body.dump();
  });

  it('stops reading a 5 MiB body, still answers, and keeps serving', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 7);
    const answer = await upload({ body: huge });
    expect(answer.json).toMatchObject({ code: VodCode.PROTOCOL_PARAMS });
    expect(emulator().calls[0]!.bytesReceived).toBeLessThan(1.1 * 1024 * 1024);
    expect((await upload()).json).toMatchObject({ code: 0 });
  });

  it('stops reading a chunked body that outgrows dataSize, and answers -10006', async () => {
    const query = buildSignedQuery({ baseUrl: emulator().url });
    async function* endless() {
      for (let i = 0; i < 200; i++) yield Buffer.alloc(64 * 1024, 1);
    }
    const res = await request(`${emulator().url}/v2/index.php?${query}`, {
      method: 'POST',
      body: Readable.from(endless()),
    }).catch((e: Error) => e);
    if (!(res instanceof Error)) expect(await res.body.json()).toMatchObject({ code: VodCode.PACKET_SIZE });
    expect(emulator().calls[0]).toMatchObject({ code: VodCode.PACKET_SIZE });
    expect(emulator().calls[0]!.bytesReceived).toBeLessThan(1.1 * 1024 * 1024);
    expect((await upload()).json).toMatchObject({ code: 0 });
  });

  it('records a client that disconnects mid-body, stores nothing, and keeps serving', async () => {
    const query = buildSignedQuery({ baseUrl: emulator().url, params: { fileSize: '1000', dataSize: '1000' } });
    await sendThenHangUp(
      emulator().url,
      [`POST /v2/index.php?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`],
      50,
    );
    await expect.poll(() => emulator().calls[0]?.outcome).toBe('client-aborted');
    expect(emulator().covers.list()).toHaveLength(0);
    expect((await upload()).json).toMatchObject({ code: 0 });
  });
});

describe('fault injection', () => {
  it('answers the next N calls with an injected code, then returns to normal', async () => {
    emulator().inject({ kind: 'answer', code: -10004, canRetry: 1 }, 2);
    expect((await upload()).json).toMatchObject({ code: -10004, canRetry: 1 });
    expect((await upload()).json).toMatchObject({ code: -10004, canRetry: 1 });
    expect((await upload()).json).toMatchObject({ code: 0 });
    expect(emulator().calls.map((c) => c.fault)).toEqual(['answer', 'answer', undefined]);
  });

  it('answers a non-200 status', async () => {
    emulator().inject({ kind: 'status', status: 502 });
    expect((await upload()).status).toBe(502);
  });

  it('answers a malformed body', async () => {
    emulator().inject({ kind: 'malformed' });
    const answer = await upload();
    expect(answer.status).toBe(200);
    expect(answer.json).toBeUndefined();
  });

  it('drops the connection', async () => {
    emulator().inject({ kind: 'drop' });
    await expect(upload()).rejects.toThrow();
    expect(emulator().calls[0]).toMatchObject({ outcome: 'dropped' });
    expect(emulator().covers.list()).toHaveLength(0);
  });

  it('drops the connection after storing, when asked', async () => {
    emulator().inject({ kind: 'drop', afterStore: true });
    await expect(upload()).rejects.toThrow();
    expect(emulator().covers.list()).toHaveLength(1);
  });

  it('delays the answer', async () => {
    emulator().inject({ kind: 'delay', ms: 150 });
    const started = performance.now();
    expect((await upload()).json).toMatchObject({ code: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('a long-running emulator', () => {
  const small = useEmulator({ maxCallRecords: 4 });

  it('keeps only the latest maxCallRecords call records, and counts every call', async () => {
    for (let i = 0; i < 10; i++)
      expect((await rawUpload({ baseUrl: small().url })).json).toMatchObject({ code: expect.any(Number) });
    expect(small().callCount).toBe(10);
    expect(small().calls.length).toBeLessThanOrEqual(6);
    expect(small().calls.length).toBeGreaterThanOrEqual(4);
    expect(small().calls.at(-1)!.seq).toBe(10);
  });
});
