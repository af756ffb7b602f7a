/**
 * API 3.0 against oracles nobody here wrote: the vendor's official Node.js SDK
 * (tencentcloud-sdk-nodejs-vod) calls the emulator's ModifyMediaInfo, and the SDK's own signing
 * code checks the requests the gateway's API 3.0 client sends. Then the client's answers and
 * retry rules against the emulator.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import * as tencentcloud from 'tencentcloud-sdk-nodejs-vod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from '../../src/emulator/server.js';
import { createApi3VodClient } from '../../src/vod/api3/client.js';
import { images, sha1 } from '../fixtures/images.js';

// The SDK's signing function (its package has no exports map; this is the file its client uses).
const { default: Sign } = createRequire(import.meta.url)(
  'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js',
) as {
  default: {
    sign3(input: {
      method: string;
      url: string;
      payload: unknown;
      timestamp: number;
      service: string;
      secretId: string;
      secretKey: string;
      multipart: boolean;
      boundary: string;
      headers: Record<string, string>;
    }): string;
  };
};

const VodSdkClient = tencentcloud.vod.v20180717.Client;
const sdkClient = (emulator: VodEmulator, secretKey = DEV_CREDENTIAL.secretKey) =>
  new VodSdkClient({
    credential: { secretId: DEV_CREDENTIAL.secretId, secretKey },
    region: '',
    profile: { httpProfile: { endpoint: `127.0.0.1:${emulator.port}`, protocol: 'http://', reqTimeout: 10 } },
  });

let emulator: VodEmulator;
beforeAll(async () => {
  emulator = await startVodEmulator();
});
beforeEach(() => emulator.reset());
afterAll(async () => {
  await emulator?.close();
});

describe('the official SDK against the emulator', () => {
  it('has its ModifyMediaInfo with CoverData accepted: the CoverUrl serves the bytes', async () => {
    const answer = await sdkClient(emulator).ModifyMediaInfo({
      FileId: 'sdk-video',
      CoverData: images.png.toString('base64'),
    });
    expect(answer.CoverUrl).toMatch(new RegExp(`^${emulator.url}/`));
    const served = Buffer.from(await (await fetch(answer.CoverUrl!)).arrayBuffer());
    expect(sha1(served)).toBe(sha1(images.png));
    expect(emulator.calls.map((c) => ({ path: c.path, code: c.code, videoFileId: c.videoFileId }))).toEqual([
      { path: '/', code: 0, videoFileId: 'sdk-video' },
    ]);
  });

  it('gets AuthFailure.SignatureFailure with a wrong SecretKey, and nothing is stored', async () => {
    const failure = await sdkClient(emulator, 'not-the-key')
      .ModifyMediaInfo({ FileId: 'sdk-video', CoverData: images.png.toString('base64') })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    expect(emulator.covers.list()).toEqual([]);
  });

  it('gets InvalidParameterValue.CoverData for a webp cover', async () => {
    const failure = await sdkClient(emulator)
      .ModifyMediaInfo({ FileId: 'sdk-video', CoverData: images.webp.toString('base64') })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'InvalidParameterValue.CoverData' });
  });
});

describe("the gateway's API 3.0 client", () => {
  it("sends requests whose Authorization the SDK's own signing code computes the same", async () => {
    const seen: { headers: Record<string, string>; body: string }[] = [];
    await using capture = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers as Record<string, string>, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ Response: { CoverUrl: 'http://covers.example/c.png', RequestId: 'r' } }));
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
    await using client = createApi3VodClient({ ...DEV_CREDENTIAL, baseUrl: url, subAppId: 1500001 });
    await client.setCover({
      videoFileId: 'signed-video',
      fileName: 'c',
      fileType: 'png',
      body: images.png,
      sha1: sha1(images.png),
      size: images.png.length,
    });
    const [request] = seen;
    expect(request!.headers['x-tc-action']).toBe('ModifyMediaInfo');
    expect(request!.headers['x-tc-version']).toBe('2018-07-17');
    expect(JSON.parse(request!.body)).toEqual({
      FileId: 'signed-video',
      CoverData: images.png.toString('base64'),
      SubAppId: 1500001,
    });
    const bySdk = Sign.sign3({
      method: 'POST',
      url: `${url}/`,
      payload: Buffer.from(request!.body),
      timestamp: Number(request!.headers['x-tc-timestamp']),
      service: 'vod',
      secretId: DEV_CREDENTIAL.secretId,
      secretKey: DEV_CREDENTIAL.secretKey,
      multipart: false,
      boundary: '',
      headers: { 'Content-Type': request!.headers['content-type']! },
    });
    expect(request!.headers['authorization']).toBe(bySdk);
  });

  it("sets the cover: fileId is the video's own, url the CoverUrl, and the emulator holds the bytes", async () => {
    await using client = createApi3VodClient({ ...DEV_CREDENTIAL, baseUrl: emulator.url });
    const result = await client.setCover({
      videoFileId: 'v3-video',
      fileName: 'c',
      fileType: 'jpg',
      body: [images.jpg.subarray(0, 100), images.jpg.subarray(100)],
      sha1: sha1(images.jpg),
      size: images.jpg.length,
    });
    const [stored] = emulator.covers.list();
    expect(result).toEqual({
      ok: true,
      code: 0,
      fileId: 'v3-video',
      url: stored!.url,
      instant: false,
      attempts: 1,
      // VOD's RequestId (the emulator's is a UUID).
      vodRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(sha1(stored!.bytes)).toBe(sha1(images.jpg));
  });

  it.each([
    ['AuthFailure.SecretIdNotFound', -20101, false, 1],
    ['InvalidParameterValue.FileId', -20102, false, 1],
    ['ResourceNotFound.FileNotExist', -20103, false, 1],
    ['UnauthorizedOperation', -20104, false, 1],
    ['InternalError', -20105, true, 3],
    ['RequestLimitExceeded', -20106, true, 3],
    ['ResourceUnavailable.Upstream', -20107, true, 3],
    ['FailedOperation.MediaNotSupported', -20100, false, 1],
  ])(
    'answers %s with gateway code %i, canRetry %s, after %i attempt(s)',
    async (vodErrorCode, code, canRetry, attempts) => {
      emulator.inject({ kind: 'api3-error', code: vodErrorCode }, 3);
      await using client = createApi3VodClient({
        ...DEV_CREDENTIAL,
        baseUrl: emulator.url,
        retry: { baseDelayMs: 1, maxDelayMs: 2 },
      });
      const result = await client.setCover({
        videoFileId: 'v3-video',
        fileName: 'c',
        fileType: 'png',
        body: images.png,
        sha1: sha1(images.png),
        size: images.png.length,
      });
      expect(result).toEqual({
        ok: false,
        code,
        vodErrorCode,
        codeDesc: vodErrorCode,
        message: 'fault injected by the emulator',
        canRetry,
        attempts,
        vodRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(emulator.callCount).toBe(attempts);
    },
  );

  it('is refused AuthFailure.SignatureExpire when its clock is 10 minutes off', async () => {
    await using client = createApi3VodClient({
      ...DEV_CREDENTIAL,
      baseUrl: emulator.url,
      now: () => Date.now() - 600_000,
    });
    const result = await client.setCover({
      videoFileId: 'v3-video',
      fileName: 'c',
      fileType: 'png',
      body: images.png,
      sha1: sha1(images.png),
      size: images.png.length,
    });
    expect(result).toMatchObject({
      ok: false,
      vodErrorCode: 'AuthFailure.SignatureExpire',
      code: -20101,
      canRetry: false,
    });
    expect(emulator.covers.list()).toEqual([]);
  });
});
