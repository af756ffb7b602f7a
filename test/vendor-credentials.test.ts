/**
 * The vendor's own credential variables (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY,
 * TENCENTCLOUD_SESSION_TOKEN, as its SDKs and CLI read them) are taken when the VOD_* pair is not
 * set; the VOD_* ones win, as a pair; problems name the variable that was set; the start line says
 * which pair is in use.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DEV_CREDENTIAL, startVodEmulator } from '../src/emulator/server.js';
import { images } from './fixtures/images.js';
import { resultOf, sendUpload } from './helpers/multipart.js';
import { startService } from './helpers/service.js';

const VENDOR = {
  TENCENTCLOUD_SECRET_ID: 'AKIDvendorVendorVendorVendor00001234',
  TENCENTCLOUD_SECRET_KEY: 'vendorSecretKeyVendorSecretKey0000',
};
const OWN = { VOD_SECRET_ID: DEV_CREDENTIAL.secretId, VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey };

const remote = (env: Record<string, string>) => {
  const { vod } = loadConfig(env);
  if (vod.kind !== 'remote') throw new Error(`expected credentials, got ${vod.kind}`);
  return vod;
};
const problem = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'no error';
};

describe('TENCENTCLOUD_* credentials', () => {
  it('are taken when no VOD_* credential is set, session token included, and said to be', () => {
    expect(remote({ ...VENDOR, TENCENTCLOUD_SESSION_TOKEN: 'vendor-session-token' })).toMatchObject({
      api: 'v3',
      secretId: VENDOR.TENCENTCLOUD_SECRET_ID,
      secretKey: VENDOR.TENCENTCLOUD_SECRET_KEY,
      token: 'vendor-session-token',
      credentialsFrom: 'TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY',
    });
  });

  it('give way to VOD_SECRET_ID and VOD_SECRET_KEY as a pair: no key of one family with the id of the other', () => {
    const vod = remote({ ...VENDOR, ...OWN, TENCENTCLOUD_SESSION_TOKEN: 'vendor-session-token' });
    expect([vod.secretId, vod.secretKey, vod.token, vod.credentialsFrom]).toEqual([
      OWN.VOD_SECRET_ID,
      OWN.VOD_SECRET_KEY,
      undefined,
      'VOD_SECRET_ID/VOD_SECRET_KEY',
    ]);
    // Half the VOD_* pair is half a pair, not a mix with the vendor's other half.
    expect(problem({ ...VENDOR, VOD_SECRET_ID: OWN.VOD_SECRET_ID })).toBe(
      'VOD_SECRET_KEY: is required when VOD_SECRET_ID is set',
    );
  });

  it('give way to a VOD_TOKEN set beside them', () => {
    expect(remote({ ...VENDOR, TENCENTCLOUD_SESSION_TOKEN: 'vendor', VOD_TOKEN: 'own' }).token).toBe('own');
  });

  it('name the vendor variable in a problem, never quoting its value', () => {
    expect(problem({ TENCENTCLOUD_SECRET_ID: VENDOR.TENCENTCLOUD_SECRET_ID })).toBe(
      'TENCENTCLOUD_SECRET_KEY: is required when TENCENTCLOUD_SECRET_ID is set',
    );
    const tooLong = 'k'.repeat(300);
    const message = problem({ ...VENDOR, TENCENTCLOUD_SECRET_KEY: tooLong });
    expect(message).toBe('TENCENTCLOUD_SECRET_KEY: is longer than 256 bytes, more than this secret can be');
    expect(message).not.toContain(tooLong);
  });

  it('are used by npm start, whose start line names them, and uploads are signed with them', async () => {
    await using emulator = await startVodEmulator({
      credentials: [{ secretId: VENDOR.TENCENTCLOUD_SECRET_ID, secretKey: VENDOR.TENCENTCLOUD_SECRET_KEY }],
    });
    await using service = await startService({ ...VENDOR, VOD_BASE_URL: emulator.url, LOG_LEVEL: 'info' });
    expect(service.messages()).toContain(
      `VOD legacy API (SmallFileUpload): ${emulator.url}/v2/index.php (region gz, SecretId ending in "1234", 36 characters, from TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY)`,
    );
    const result = resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess' });
    expect(emulator.calls.map((call) => call.code)).toEqual([0]);
  });
});
