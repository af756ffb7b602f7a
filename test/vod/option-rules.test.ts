/**
 * The VOD options' rules are the clients' own, declared once (src/vod/option-rules.ts): the client
 * refuses a value naming its option, and the configuration refuses the variable that sets that
 * option by the same rule, naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createApi3VodClient } from '../../src/vod/api3/client.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';

const CREDENTIALS = { VOD_SECRET_ID: DEV_CREDENTIAL.secretId, VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey };

describe('one rule, in the client and in the configuration', () => {
  it.each([
    ['region', { region: 'Guangzhou' }, { VOD_REGION: 'Guangzhou' }, 'must be a lower-case region code such as "gz"'],
    ['path', { path: 'v2' }, { VOD_PATH: 'v2' }, 'must start with "/"'],
    [
      'signatureMethod',
      { signatureMethod: 'MD5' },
      { VOD_SIGNATURE_METHOD: 'MD5' },
      'must be one of HmacSHA1, HmacSHA256',
    ],
  ])('the legacy client refuses %s, and so does its variable', (option, value, env, problem) => {
    expect(() => createLegacyVodClient({ ...DEV_CREDENTIAL, ...(value as object) })).toThrow(
      new TypeError(`createLegacyVodClient: option "${option}" ${problem}`),
    );
    const error = (() => {
      try {
        loadConfig({ ...CREDENTIALS, VOD_API: 'legacy', ...env });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      new RegExp(`^${Object.keys(env)[0]}: ${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  it("the API 3.0 client refuses a legacy region code and the legacy API's endpoint, as their variables are", () => {
    expect(() => createApi3VodClient({ ...DEV_CREDENTIAL, region: 'gz' })).toThrow(
      new TypeError('createApi3VodClient: option "region" "gz" is a legacy region code'),
    );
    expect(() => createApi3VodClient({ ...DEV_CREDENTIAL, region: 'Guangzhou' })).toThrow(
      new TypeError('createApi3VodClient: option "region" must be an API 3.0 region such as "ap-guangzhou"'),
    );
    expect(() => createApi3VodClient({ ...DEV_CREDENTIAL, baseUrl: 'https://vod2.qcloud.com' })).toThrow(
      new TypeError(
        'createApi3VodClient: option "baseUrl" is the legacy API\'s endpoint; API 3.0 is at https://vod.tencentcloudapi.com',
      ),
    );
    expect(() => loadConfig({ ...CREDENTIALS, VOD_REGION: 'gz' })).toThrow(/^VOD_REGION: "gz" is a legacy region code/);
    expect(() => loadConfig({ ...CREDENTIALS, VOD_BASE_URL: 'https://vod2.qcloud.com' })).toThrow(
      /^VOD_BASE_URL: is the legacy API's endpoint/,
    );
    // Its own regions pass.
    expect(() => createApi3VodClient({ ...DEV_CREDENTIAL, region: 'ap-guangzhou' }).close()).not.toThrow();
  });
});
