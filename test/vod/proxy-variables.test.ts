/**
 * A malformed egress proxy variable (issue 28, item 10): HTTP_PROXY, HTTPS_PROXY, NO_PROXY and
 * their lower-case forms are checked at start, before undici sees them (whose own error holds the
 * whole URL, password included). A bad one is a configuration error naming the variable, its
 * user and password hidden: one line, exit code 1.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createApi3VodClient } from '../../src/vod/api3/client.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';
import { startService } from '../helpers/service.js';

/** The finding's value: a user and password before an address the URL parser refuses. */
const BAD = 'http://proxy-user:hunter2-pw@[::zz]:1';
const SHOWN = '"http://[redacted]@[::zz]:1"';
const NOT_A_HOST =
  'is not a host name, domain or address (such as "localhost", ".example.com", "10.0.0.0/8" or "[::1]:8080")';

/** What loadConfig throws for `env` (undefined when it does not). */
function configErrorOf(env: NodeJS.ProcessEnv): unknown {
  try {
    loadConfig(env);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a proxy variable that cannot be used is a configuration error naming it, user and password hidden', () => {
  it.each([
    ['HTTP_PROXY', BAD, `is not a URL: ${SHOWN}`],
    ['http_proxy', BAD, `is not a URL: ${SHOWN}`],
    ['HTTPS_PROXY', BAD, `is not a URL: ${SHOWN}`],
    ['https_proxy', BAD, `is not a URL: ${SHOWN}`],
    [
      'HTTPS_PROXY',
      'proxy-user:hunter2-pw@proxy.internal:3128',
      'must be an http:// or https:// URL (such as "http://proxy.internal:3128"): "[redacted]@proxy.internal:3128"',
    ],
    [
      'HTTP_PROXY',
      'socks5://proxy-user:hunter2-pw@proxy.internal:1080',
      'must be an http:// or https:// URL (such as "http://proxy.internal:3128"): "socks5://[redacted]@proxy.internal:1080"',
    ],
    ['HTTP_PROXY', 'http://proxy-user:hunter2@pw@[::zz]:1', `is not a URL: ${SHOWN}`],
    ['NO_PROXY', `localhost,${BAD}`, `${SHOWN} ${NOT_A_HOST}`],
    ['no_proxy', '.svc.cluster.local proxy-user:hunter2-pw@internal', `"[redacted]@internal" ${NOT_A_HOST}`],
  ])('%s=%s', (variable, value, problem) => {
    const error = configErrorOf({ [variable]: value });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable, message: `${variable}: ${problem}` });
    expect((error as Error).message).not.toMatch(/hunter2|proxy-user/);
  });

  it('quotes at most 100 characters of a value', () => {
    const error = configErrorOf({ HTTP_PROXY: `http://${'h'.repeat(10_000)}:99999` });
    expect((error as Error).message).toBe(`HTTP_PROXY: is not a URL: "http://${'h'.repeat(93)}…"`);
  });

  it('takes good values, with a user and password, and gives them to the VOD client as checked', () => {
    const config = loadConfig({
      HTTPS_PROXY: 'http://proxy-user:hunter2-pw@proxy.internal:3128',
      http_proxy: 'http://proxy.internal:3128/',
      NO_PROXY: 'localhost,127.0.0.1,::1,[::1]:8080,.svc.cluster.local,*.example.com,10.0.0.0/8 *',
    });
    expect(config.vodClient.proxy).toEqual({
      httpsProxy: 'http://proxy-user:hunter2-pw@proxy.internal:3128',
      httpProxy: 'http://proxy.internal:3128/',
      noProxy: 'localhost,127.0.0.1,::1,[::1]:8080,.svc.cluster.local,*.example.com,10.0.0.0/8 *',
    });
    expect(loadConfig({}).vodClient.proxy).toBeUndefined();
  });
});

describe('the VOD clients, given a proxy that cannot be used', () => {
  afterEach(() => vi.unstubAllEnvs());

  it.each([
    ['createLegacyVodClient', createLegacyVodClient],
    ['createApi3VodClient', createApi3VodClient],
  ])('%s names the option, user and password hidden', (client, create) => {
    expect(() => create({ ...DEV_CREDENTIAL, proxy: { httpsProxy: BAD } })).toThrow(
      new TypeError(`${client}: option "proxy.httpsProxy" is not a URL: ${SHOWN}`),
    );
    expect(() =>
      create({ ...DEV_CREDENTIAL, proxy: { httpProxy: 'http://proxy.internal:3128', noProxy: BAD } }),
    ).toThrow(new TypeError(`${client}: option "proxy.noProxy" ${SHOWN} ${NOT_A_HOST}`));
  });

  it('reading the variables themselves (no proxy option), names the variable', () => {
    vi.stubEnv('HTTPS_PROXY', BAD);
    expect(() => createLegacyVodClient({ ...DEV_CREDENTIAL })).toThrow(`HTTPS_PROXY: is not a URL: ${SHOWN}`);
  });

  it('given the settings, reads no variable of undici’s own: a bad https_proxy beside them is never read', async () => {
    vi.stubEnv('https_proxy', BAD);
    const create = () =>
      createLegacyVodClient({ ...DEV_CREDENTIAL, proxy: { httpProxy: 'http://127.0.0.1:9', noProxy: '' } });
    expect(create).not.toThrow();
    await create().close();
  });
});

describe('the service with a proxy variable that cannot be used', () => {
  it.each(['HTTP_PROXY', 'https_proxy', 'NO_PROXY'])(
    'stops with one line naming %s, no user or password in it, and exit code 1',
    async (variable) => {
      const value = variable === 'NO_PROXY' ? `localhost,${BAD}` : BAD;
      await using service = await startService({ [variable]: value });
      expect(await Promise.race([service.exited, sleep(3000, 'still running')])).toBe(1);
      const problem = variable === 'NO_PROXY' ? `${SHOWN} ${NOT_A_HOST}` : `is not a URL: ${SHOWN}`;
      expect(service.messages()).toEqual([`Configuration error: ${variable}: ${problem}`]);
      expect(service.printed()).not.toMatch(/hunter2|proxy-user/);
    },
  );
});
