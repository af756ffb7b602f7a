import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('runs against the embedded emulator with no VOD credentials', () => {
    expect(loadConfig({})).toEqual({ port: 4000, host: '0.0.0.0', dataDir: './data', introspection: true, vod: { kind: 'emulator', emulatorPort: 0 } });
  });

  it('talks to a real VOD with credentials, with the documented defaults', () => {
    expect(loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', PORT: '8080' })).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      introspection: true,
      vod: { kind: 'remote', secretId: 'id', secretKey: 'key', baseUrl: 'https://vod2.qcloud.com', region: 'gz', path: '/v2/index.php', signatureMethod: 'HmacSHA1' },
    });
  });

  it('reads VOD_BASE_URL, VOD_REGION, VOD_PATH, VOD_SIGNATURE_METHOD and VOD_TOKEN', () => {
    const config = loadConfig({
      VOD_SECRET_ID: 'id',
      VOD_SECRET_KEY: 'key',
      VOD_BASE_URL: 'http://127.0.0.1:9000',
      VOD_REGION: 'sh',
      VOD_PATH: '/v3/index.php',
      VOD_SIGNATURE_METHOD: 'HmacSHA256',
      VOD_TOKEN: 't',
    });
    expect(config.vod).toMatchObject({ baseUrl: 'http://127.0.0.1:9000', region: 'sh', path: '/v3/index.php', signatureMethod: 'HmacSHA256', token: 't' });
  });

  it.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }, true],
    [{ GRAPHQL_INTROSPECTION: 'false' }, false],
  ])('turns introspection on or off: %j → %s', (env, expected) => {
    expect(loadConfig(env).introspection).toBe(expected);
  });

  it('reads DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/covers' }).dataDir).toBe('/var/lib/covers');
  });

  it('reads KEEP_ALIVE_TIMEOUT_MS, SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS', () => {
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '75000', SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_GRACE_MS: '0' })).toMatchObject({
      keepAliveTimeoutMs: 75_000,
      shutdownDelayMs: 5000,
      shutdownGraceMs: 0,
    });
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['EMULATOR_PORT', { EMULATOR_PORT: '-1' }],
    ['GRAPHQL_INTROSPECTION', { GRAPHQL_INTROSPECTION: 'yes' }],
    ['KEEP_ALIVE_TIMEOUT_MS', { KEEP_ALIVE_TIMEOUT_MS: '5s' }],
    ['KEEP_ALIVE_TIMEOUT_MS', { KEEP_ALIVE_TIMEOUT_MS: '0' }],
    ['SHUTDOWN_DELAY_MS', { SHUTDOWN_DELAY_MS: '-5' }],
    ['SHUTDOWN_GRACE_MS', { SHUTDOWN_GRACE_MS: '1e4' }],
    ['VOD_SECRET_KEY', { VOD_SECRET_ID: 'id' }],
    ['VOD_SECRET_ID', { VOD_SECRET_KEY: 'key' }],
    ['VOD_BASE_URL', { VOD_BASE_URL: 'https://vod2.qcloud.com' }],
    ['VOD_BASE_URL', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: 'vod2.qcloud.com' }],
    ['VOD_BASE_URL', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: 'https://h/v2/index.php' }],
    ['VOD_REGION', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_REGION: 'Guangzhou' }],
    ['VOD_PATH', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_PATH: 'v2' }],
    ['VOD_SIGNATURE_METHOD', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_SIGNATURE_METHOD: 'MD5' }],
  ])('names %s when it is bad', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable });
    expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
  });

  it.each(['https://admin:hunter2-pw@vod.example.com', 'https://:hunter2-pw@vod.example.com', 'https://admin:hunter2-pw@vod.example.com/v2'])(
    'refuses VOD_BASE_URL %s with credentials, and does not print the password',
    (baseUrl) => {
      expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: baseUrl })).toThrow(
        'VOD_BASE_URL: must not hold credentials (user:password@), VOD authenticates by signature: "https://[redacted]@vod.example.com',
      );
      expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: baseUrl })).toThrow(/^(?!.*hunter2)/);
    },
  );

  it('never puts the SecretKey in an error', () => {
    expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'very-secret', VOD_REGION: 'BAD' })).toThrow(/^(?!.*very-secret)/);
  });
});
