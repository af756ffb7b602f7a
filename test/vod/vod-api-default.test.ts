/**
 * Today's VOD API by default: the vendor took the legacy SmallFileUpload offline in November 2022,
 * so covers go to API 3.0 (ModifyMediaInfo) unless VOD_API=legacy (or `vodApi: 'legacy'`) says
 * otherwise, with credentials or on the embedded emulator, and the start line names the API.
 * The legacy API stays fully supported: chosen, it works end to end. (The harness pins the legacy
 * API for the tests written before; these set or unset the API themselves.)
 */
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { images, sha1 } from '../fixtures/images.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

/** The SecretId as the start line describes it. */
const SECRET_ID_SHOWN = `SecretId ending in "${DEV_CREDENTIAL.secretId.slice(-4)}", ${DEV_CREDENTIAL.secretId.length} characters`;
/** A cover's own fileId, as the legacy API gives one (API 3.0 gives a cover none: the video's is answered). */
const LEGACY_COVER_FILE_ID = /^[0-9]{18}$/;

let emulator: VodEmulator;
beforeAll(async () => {
  emulator = await startVodEmulator();
});
beforeEach(() => emulator.reset());
afterAll(async () => {
  await emulator.close();
});

/** The bytes a cover's url serves. */
async function servedAt(url: string): Promise<Buffer> {
  const served = await request(url);
  expect(served.statusCode).toBe(200);
  return Buffer.from(await served.body.arrayBuffer());
}

describe('createGateway without vodApi', () => {
  it('sends covers to API 3.0 (a ModifyMediaInfo POST to /)', async () => {
    await using gateway = createGateway({
      vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url },
      logging: false,
      logger: false,
    });
    const url = await gateway.listen(0, '127.0.0.1');
    const result = resultOf(
      await sendUpload(url, { bytes: images.jpg, filename: 'cover.jpg', fileId: 'code-default' }),
    );
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess', fileId: 'code-default' });
    expect(emulator.calls.map((call) => [call.path, call.status, call.code])).toEqual([['/', 200, 0]]);
  });

  it.each([
    [
      'path',
      { path: '/v2/index.php' },
      `option "vod.path" is the legacy API's: set vodApi: 'legacy' to send covers with SmallFileUpload (covers go to API 3.0 by default)`,
    ],
    [
      'signatureMethod',
      { signatureMethod: 'HmacSHA256' as const },
      `option "vod.signatureMethod" is the legacy API's: set vodApi: 'legacy' to send covers with SmallFileUpload (covers go to API 3.0 by default)`,
    ],
  ])('refuses the legacy client option %s, which API 3.0 would ignore, naming it', (_name, option, message) => {
    expect(() => createGateway({ vod: { ...DEV_CREDENTIAL, ...option }, logger: false })).toThrow(
      new TypeError(message),
    );
  });

  it("refuses API 3.0's subAppId with vodApi: 'legacy'", () => {
    expect(() =>
      createGateway({ vod: { ...DEV_CREDENTIAL, subAppId: 1500001 }, vodApi: 'legacy', logger: false }),
    ).toThrow(new TypeError(`option "vod.subAppId" is API 3.0's: vodApi: 'legacy' has no sub-applications`));
  });
});

describe('npm start', () => {
  it('with credentials and no VOD_API: uses API 3.0 and its start line says so', async () => {
    await using service = await startService({
      VOD_API: undefined,
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      VOD_BASE_URL: emulator.url,
      LOG_LEVEL: 'info',
    });
    expect(service.messages()).toContain(
      `VOD API 3.0 (ModifyMediaInfo): ${emulator.url} (${SECRET_ID_SHOWN}, from VOD_SECRET_ID/VOD_SECRET_KEY)`,
    );
    const result = resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg', fileId: 'v3' }));
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess', fileId: 'v3' });
    expect(emulator.calls.map((call) => [call.path, call.status, call.code])).toEqual([['/', 200, 0]]);
  });

  it('with credentials and VOD_API=legacy: sends covers with SmallFileUpload end to end and says so', async () => {
    await using service = await startService({
      VOD_API: 'legacy',
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      VOD_BASE_URL: emulator.url,
      LOG_LEVEL: 'info',
    });
    expect(service.messages()).toContain(
      `VOD legacy API (SmallFileUpload): ${emulator.url}/v2/index.php (region gz, ${SECRET_ID_SHOWN}, from VOD_SECRET_ID/VOD_SECRET_KEY)`,
    );
    const result = resultOf(await sendUpload(service.url, { bytes: images.png, filename: 'cover.png' }));
    expect(result).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      fileId: expect.stringMatching(LEGACY_COVER_FILE_ID),
    });
    expect(emulator.calls.map((call) => [call.path, call.status, call.code])).toEqual([['/v2/index.php', 200, 0]]);
    expect(sha1(await servedAt((result as { url: string }).url))).toBe(sha1(images.png));
  });

  it("without credentials or VOD_API: the embedded emulator's API 3.0 side, named on the start line", async () => {
    await using service = await startService({ VOD_API: undefined, LOG_LEVEL: 'info' });
    expect(service.messages()).toContainEqual(
      expect.stringMatching(
        /^VOD emulator \(no VOD_SECRET_ID\/VOD_SECRET_KEY or TENCENTCLOUD_SECRET_ID\/TENCENTCLOUD_SECRET_KEY set\), API 3\.0 \(ModifyMediaInfo\): http:\/\/127\.0\.0\.1:\d+$/,
      ),
    );
    const result = resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg', fileId: 'v3' }));
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess', fileId: 'v3' });
  });

  it("without credentials and VOD_API=legacy: the embedded emulator's legacy side, named on the start line", async () => {
    await using service = await startService({ VOD_API: 'legacy', LOG_LEVEL: 'info' });
    expect(service.messages()).toContainEqual(
      expect.stringMatching(
        /^VOD emulator \(no VOD_SECRET_ID\/VOD_SECRET_KEY or TENCENTCLOUD_SECRET_ID\/TENCENTCLOUD_SECRET_KEY set\), legacy API \(SmallFileUpload\): http:\/\/127\.0\.0\.1:\d+$/,
      ),
    );
    const result = resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(result).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      fileId: expect.stringMatching(LEGACY_COVER_FILE_ID),
    });
    expect(sha1(await servedAt((result as { url: string }).url))).toBe(sha1(images.jpg));
  });
});
