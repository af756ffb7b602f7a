import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** What loadConfig throws for `env` (undefined when it does not). */
function configErrorOf(env: NodeJS.ProcessEnv): unknown {
  try {
    loadConfig(env);
  } catch (error) {
    return error;
  }
  return undefined;
}

const SECRET_32 = 'a-secret-of-exactly-32-bytes-ok!';
const ROUTER_SECRET_32 = 'a-router-secret-of-32-bytes-ok!!';

describe('loadConfig', () => {
  it('reads authentication, CORS origins and the admin port', () => {
    const config = loadConfig({
      AUTH_JWT_SECRET: SECRET_32,
      AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      AUTH_JWT_ISSUER: 'https://idp.example.com/',
      AUTH_JWT_AUDIENCE: 'vod-covers',
      AUTH_JWT_CLOCK_TOLERANCE_S: '10',
      AUTH_ROUTER_HMAC_SECRET: ROUTER_SECRET_32,
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      ADMIN_PORT: '9090',
    });
    expect({ auth: config.auth, corsOrigins: config.corsOrigins, adminPort: config.adminPort }).toEqual({
      auth: {
        jwt: {
          secret: SECRET_32,
          jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
          issuer: 'https://idp.example.com/',
          audience: 'vod-covers',
          clockToleranceSeconds: 10,
        },
        routerSignatureSecret: ROUTER_SECRET_32,
      },
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      adminPort: 9090,
    });
  });

  it('reads VOD_RATE_LIMIT as calls per second, or off, and VOD_RATE_QUEUE', () => {
    expect(loadConfig({ VOD_RATE_LIMIT: '10', VOD_RATE_QUEUE: '50' }).gateway).toEqual({
      vodRateLimit: 10,
      vodRateQueue: 50,
    });
    expect(loadConfig({ VOD_RATE_LIMIT: 'off' }).gateway).toEqual({ vodRateLimit: false });
    expect(loadConfig({}).gateway).toEqual({});
  });

  it('reads VOD_API=v3: API 3.0 defaults, VOD_SUB_APP_ID, VOD_REGION as X-TC-Region, the embedded emulator too', () => {
    expect(
      loadConfig({
        VOD_SECRET_ID: 'id',
        VOD_SECRET_KEY: 'key',
        VOD_API: 'v3',
        VOD_SUB_APP_ID: '1500001',
        VOD_REGION: 'ap-guangzhou',
      }).vod,
    ).toEqual({
      kind: 'remote',
      api: 'v3',
      secretId: 'id',
      secretKey: 'key',
      baseUrl: 'https://vod.tencentcloudapi.com',
      region: 'ap-guangzhou',
      subAppId: 1500001,
      credentialsFrom: 'VOD_SECRET_ID/VOD_SECRET_KEY',
    });
    expect(loadConfig({ VOD_API: 'v3' }).vod).toEqual({ kind: 'emulator', emulatorPort: 0, api: 'v3' });
  });

  it('reads DATABASE_URL and the pool settings', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://covers:pw@db:5432/covers',
        DATABASE_POOL_SIZE: '20',
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
        DATABASE_CONNECT_TIMEOUT_MS: '3000',
        DATABASE_CLAIM_LEASE_MS: '4000',
      }).database,
    ).toEqual({
      connectionString: 'postgres://covers:pw@db:5432/covers',
      poolSize: 20,
      statementTimeoutMs: 2000,
      connectTimeoutMs: 3000,
      claimLeaseMs: 4000,
    });
    expect(loadConfig({}).database).toBeUndefined();
  });

  it('turns authentication off when no AUTH_ variable is set, and on with the router secret alone', () => {
    expect(loadConfig({}).auth).toBeUndefined();
    expect(loadConfig({ AUTH_ROUTER_HMAC_SECRET: ROUTER_SECRET_32 }).auth).toEqual({
      routerSignatureSecret: ROUTER_SECRET_32,
    });
  });

  it('runs against the embedded emulator with no VOD credentials', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '0.0.0.0',
      dataDir: './data',
      introspection: true,
      graphiql: true,
      corsOrigins: [],
      vod: { kind: 'emulator', emulatorPort: 0, api: 'v3' },
      gateway: {},
      vodClient: {},
    });
    expect(loadConfig({ VOD_API: 'legacy' }).vod).toEqual({ kind: 'emulator', emulatorPort: 0, api: 'legacy' });
  });

  it('talks to a real VOD with credentials, with the documented defaults: API 3.0 without VOD_API', () => {
    expect(loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', PORT: '8080' })).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      introspection: true,
      graphiql: true,
      corsOrigins: [],
      vod: {
        kind: 'remote',
        api: 'v3',
        secretId: 'id',
        secretKey: 'key',
        baseUrl: 'https://vod.tencentcloudapi.com',
        credentialsFrom: 'VOD_SECRET_ID/VOD_SECRET_KEY',
      },
      gateway: {},
      vodClient: {},
    });
  });

  it('talks to the legacy SmallFileUpload with VOD_API=legacy, with its documented defaults', () => {
    expect(loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_API: 'legacy' }).vod).toEqual({
      kind: 'remote',
      api: 'legacy',
      secretId: 'id',
      secretKey: 'key',
      baseUrl: 'https://vod2.qcloud.com',
      region: 'gz',
      path: '/v2/index.php',
      signatureMethod: 'HmacSHA1',
      credentialsFrom: 'VOD_SECRET_ID/VOD_SECRET_KEY',
    });
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    [
      'VOD_PATH without VOD_API',
      { VOD_PATH: '/v2/index.php' },
      'VOD_PATH: is a legacy API setting (VOD_API=legacy); API 3.0 (the default without VOD_API) always posts to / and signs with TC3-HMAC-SHA256',
    ],
    [
      'VOD_SIGNATURE_METHOD with VOD_API=v3',
      { VOD_API: 'v3', VOD_SIGNATURE_METHOD: 'HmacSHA256' },
      'VOD_SIGNATURE_METHOD: is a legacy API setting (VOD_API=legacy); VOD_API=v3 always posts to / and signs with TC3-HMAC-SHA256',
    ],
    [
      "the legacy API's endpoint without VOD_API",
      { VOD_BASE_URL: 'https://vod2.qcloud.com' },
      "VOD_BASE_URL: is the legacy API's endpoint (VOD_API=legacy); API 3.0 (the default without VOD_API) is at https://vod.tencentcloudapi.com (unset VOD_BASE_URL for it)",
    ],
    [
      'a legacy region code without VOD_API',
      { VOD_REGION: 'gz' },
      'VOD_REGION: "gz" is a legacy region code (VOD_API=legacy); API 3.0 (the default without VOD_API) takes regions such as "ap-guangzhou", and needs none (VOD is not regional)',
    ],
    [
      'VOD_SUB_APP_ID with VOD_API=legacy',
      { VOD_API: 'legacy', VOD_SUB_APP_ID: '1500001' },
      'VOD_SUB_APP_ID: is an API 3.0 setting, but VOD_API is "legacy" (SmallFileUpload has no sub-applications)',
    ],
    [
      'a VOD_API of neither',
      { VOD_API: 'v2' },
      'VOD_API: must be "v3" (API 3.0, the default) or "legacy" (SmallFileUpload), got "v2"',
    ],
  ])('says which API a setting belongs to: %s', (_case, env, message) => {
    expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', ...env })).toThrow(
      new ConfigError(message.slice(0, message.indexOf(':')), message.slice(message.indexOf(':') + 2)),
    );
  });

  it('reads VOD_BASE_URL, VOD_REGION, VOD_PATH, VOD_SIGNATURE_METHOD and VOD_TOKEN (VOD_API=legacy)', () => {
    const config = loadConfig({
      VOD_API: 'legacy',
      VOD_SECRET_ID: 'id',
      VOD_SECRET_KEY: 'key',
      VOD_BASE_URL: 'http://127.0.0.1:9000',
      VOD_REGION: 'sh',
      VOD_PATH: '/v3/index.php',
      VOD_SIGNATURE_METHOD: 'HmacSHA256',
      VOD_TOKEN: 't',
    });
    expect(config.vod).toMatchObject({
      baseUrl: 'http://127.0.0.1:9000',
      region: 'sh',
      path: '/v3/index.php',
      signatureMethod: 'HmacSHA256',
      token: 't',
    });
  });

  it.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }, true],
    [{ GRAPHQL_INTROSPECTION: 'false' }, false],
  ])('turns introspection on or off: %j → %s', (env, expected) => {
    expect(loadConfig(env).introspection).toBe(expected);
  });

  it.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', GRAPHIQL: 'true' }, true],
    [{ GRAPHIQL: 'false' }, false],
  ])('turns GraphiQL on or off: %j → %s', (env, expected) => {
    expect(loadConfig(env).graphiql).toBe(expected);
  });

  it('reads DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/covers' }).dataDir).toBe('/var/lib/covers');
  });

  it('reads COVER_METADATA, MAX_INPUT_PIXELS, and fitting (COVER_FIT=on with its size bounds; off, they are ignored)', () => {
    expect(loadConfig({ COVER_METADATA: 'keep', MAX_INPUT_PIXELS: '1000000' }).gateway).toEqual({
      coverMetadata: 'keep',
      maxPixels: 1_000_000,
    });
    expect(loadConfig({ COVER_FIT: 'on' }).gateway).toEqual({ fit: {} });
    expect(
      loadConfig({ COVER_FIT: 'on', MAX_INPUT_FILE_SIZE: '10000000', COVER_MAX_DIMENSION: '1280' }).gateway,
    ).toEqual({ fit: { maxInputFileSize: 10_000_000, maxDimension: 1280 } });
    expect(loadConfig({ COVER_FIT: 'off', MAX_INPUT_FILE_SIZE: '10000000' }).gateway).toEqual({});
  });

  it('reads every gateway option from its variable', () => {
    const config = loadConfig({
      GRAPHQL_ENDPOINT: '/api/graphql',
      AUTH_UPLOAD_SCOPE: 'covers:admin',
      MAX_FILE_SIZE: '500000',
      MAX_FIELD_SIZE: '20000',
      MAX_BODY_SIZE: '65536',
      MAX_REPRESENTATIONS: '100',
      CSRF_HEADERS: 'x-graphql-yoga-csrf, X-Requested-With',
      UPLOAD_DEADLINE_MS: '30000',
      MAX_CONCURRENT_VOD_CALLS: '8',
      VOD_QUEUE_TIMEOUT_MS: '500',
      HEADERS_TIMEOUT_MS: '5000',
      REQUEST_TIMEOUT_MS: '60000',
      KEEP_ALIVE_TIMEOUT_MS: '75000',
      SHUTDOWN_GRACE_MS: '0',
      SHUTDOWN_DELAY_MS: '5000',
      LEDGER_MAX_PENDING: '50',
      LEDGER_RETRY_DELAY_MS: '250',
    });
    expect(config.gateway).toEqual({
      graphqlEndpoint: '/api/graphql',
      uploadScope: 'covers:admin',
      maxFileSize: 500_000,
      maxFieldSize: 20_000,
      maxBodySize: 65_536,
      maxRepresentations: 100,
      csrfHeaders: ['x-graphql-yoga-csrf', 'x-requested-with'],
      uploadDeadlineMs: 30_000,
      maxConcurrentVodCalls: 8,
      vodQueueTimeoutMs: 500,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 75_000,
      shutdownGraceMs: 0,
      shutdownDelayMs: 5000,
      ledgerMaxPending: 50,
      ledgerRetryDelayMs: 250,
    });
  });

  it('reads the VOD client settings, for the embedded emulator too', () => {
    const config = loadConfig({
      VOD_CONNECTIONS: '16',
      VOD_CONNECT_TIMEOUT_MS: '2000',
      VOD_HEADERS_TIMEOUT_MS: '3000',
      VOD_BODY_TIMEOUT_MS: '4000',
      VOD_RETRY_MAX_ATTEMPTS: '5',
      VOD_RETRY_BASE_DELAY_MS: '50',
      VOD_RETRY_MAX_DELAY_MS: '1000',
      VOD_DEADLINE_MS: '20000',
    });
    expect(config.vod.kind).toBe('emulator');
    expect(config.vodClient).toEqual({
      connections: 16,
      connectTimeoutMs: 2000,
      headersTimeoutMs: 3000,
      bodyTimeoutMs: 4000,
      retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 1000, deadlineMs: 20_000 },
    });
  });

  describe('secrets from files (*_FILE)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'vod-cover-secrets-'));
    const file = (name: string, text: string) => {
      const path = join(folder, name);
      writeFileSync(path, text);
      return path;
    };

    it('reads VOD_SECRET_ID_FILE, VOD_SECRET_KEY_FILE and VOD_TOKEN_FILE, without the final newline', () => {
      const config = loadConfig({
        VOD_SECRET_ID_FILE: file('id', 'AKIDfromfile\n'),
        VOD_SECRET_KEY_FILE: file('key', 'keyfromfile\n'),
        VOD_TOKEN_FILE: file('token', 'tok'),
      });
      expect(config.vod).toMatchObject({
        kind: 'remote',
        secretId: 'AKIDfromfile',
        secretKey: 'keyfromfile',
        token: 'tok',
      });
    });

    it('refuses a secret set both ways, naming the _FILE variable', () => {
      expect(() =>
        loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_SECRET_KEY_FILE: file('key2', 'k') }),
      ).toThrow('VOD_SECRET_KEY_FILE: is set, and so is VOD_SECRET_KEY: set one of them');
    });

    it('names a file that cannot be read, and never prints a secret', () => {
      const error = configErrorOf({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY_FILE: join(folder, 'missing') });
      expect(error).toMatchObject({ variable: 'VOD_SECRET_KEY_FILE', message: expect.stringContaining('ENOENT') });
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
    ['GRAPHQL_ENDPOINT', { GRAPHQL_ENDPOINT: 'graphql' }],
    ['GRAPHIQL', { GRAPHIQL: 'yes' }],
    ['MAX_FILE_SIZE', { MAX_FILE_SIZE: '2000000' }],
    ['COVER_METADATA', { COVER_METADATA: 'remove' }],
    ['COVER_FIT', { COVER_FIT: 'true' }],
    ['COVER_MAX_DIMENSION', { COVER_FIT: 'on', COVER_MAX_DIMENSION: '8' }],
    ['CSRF_HEADERS', { CSRF_HEADERS: 'x-ok, bad header' }],
    ['MAX_CONCURRENT_VOD_CALLS', { MAX_CONCURRENT_VOD_CALLS: '0' }],
    ['VOD_RATE_LIMIT', { VOD_RATE_LIMIT: '0' }],
    ['VOD_RATE_LIMIT', { VOD_RATE_LIMIT: 'OFF' }],
    ['VOD_RATE_LIMIT', { VOD_RATE_LIMIT: '1e3' }],
    ['VOD_RATE_LIMIT', { VOD_RATE_LIMIT: '1000001' }],
    ['VOD_RATE_QUEUE', { VOD_RATE_QUEUE: '-1' }],
    ['VOD_RETRY_MAX_ATTEMPTS', { VOD_RETRY_MAX_ATTEMPTS: 'three' }],
    ['VOD_DEADLINE_MS', { VOD_DEADLINE_MS: '0' }],
    ['VOD_SECRET_KEY', { VOD_SECRET_ID: 'id' }],
    ['VOD_SECRET_ID', { VOD_SECRET_KEY: 'key' }],
    ['VOD_BASE_URL', { VOD_BASE_URL: 'https://vod2.qcloud.com' }],
    ['VOD_BASE_URL', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: 'vod2.qcloud.com' }],
    ['VOD_BASE_URL', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: 'https://h/v2/index.php' }],
    ['VOD_REGION', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_REGION: 'Guangzhou' }],
    ['VOD_REGION', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_API: 'legacy', VOD_REGION: 'Guangzhou' }],
    ['VOD_PATH', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_API: 'legacy', VOD_PATH: 'v2' }],
    [
      'VOD_SIGNATURE_METHOD',
      { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_API: 'legacy', VOD_SIGNATURE_METHOD: 'MD5' },
    ],
    ['AUTH_JWT_SECRET', { AUTH_JWT_SECRET: 'thirty-one-bytes-is-too-short!!' }],
    ['AUTH_JWKS_URL', { AUTH_JWKS_URL: 'idp.example.com/jwks.json' }],
    ['AUTH_JWT_ISSUER', { AUTH_JWT_ISSUER: 'https://idp.example.com/' }],
    ['AUTH_JWT_AUDIENCE', { AUTH_ROUTER_HMAC_SECRET: ROUTER_SECRET_32, AUTH_JWT_AUDIENCE: 'covers' }],
    ['AUTH_ROUTER_HMAC_SECRET', { AUTH_ROUTER_HMAC_SECRET: 's' }],
    ['AUTH_ROUTER_HMAC_SECRET', { AUTH_ROUTER_HMAC_SECRET: 'thirty-one-bytes-is-too-short!!' }],
    ['AUTH_JWT_CLOCK_TOLERANCE_S', { AUTH_JWT_SECRET: SECRET_32, AUTH_JWT_CLOCK_TOLERANCE_S: '301' }],
    ['AUTH_UPLOAD_SCOPE', { AUTH_UPLOAD_SCOPE: 'covers:write covers:read' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com/' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com, app2.example.com' }],
    ['ADMIN_PORT', { ADMIN_PORT: '4000' }],
    ['ADMIN_PORT', { ADMIN_PORT: 'admin' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/covers' }],
    ['VOD_API', { VOD_API: 'v2' }],
    ['VOD_SUB_APP_ID', { VOD_API: 'legacy', VOD_SUB_APP_ID: '1500001' }],
    ['VOD_SUB_APP_ID', { VOD_API: 'v3', VOD_SUB_APP_ID: 'sub' }],
    ['VOD_PATH', { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_API: 'v3', VOD_PATH: '/v2/index.php' }],
    [
      'VOD_SIGNATURE_METHOD',
      { VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_API: 'v3', VOD_SIGNATURE_METHOD: 'HmacSHA256' },
    ],
    ['DATABASE_POOL_SIZE', { DATABASE_URL: 'postgres://db/covers', DATABASE_POOL_SIZE: '0' }],
    ['DATABASE_CLAIM_LEASE_MS', { DATABASE_CLAIM_LEASE_MS: '2000' }],
  ])('names %s when it is bad', (variable, env) => {
    const error = configErrorOf(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable });
    expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
  });

  it.each([
    'https://admin:hunter2-pw@vod.example.com',
    'https://:hunter2-pw@vod.example.com',
    'https://admin:hunter2-pw@vod.example.com/v2',
  ])('refuses VOD_BASE_URL %s with credentials, and does not print the password', (baseUrl) => {
    expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: baseUrl })).toThrow(
      'VOD_BASE_URL: must not hold credentials (user:password@), VOD authenticates by signature: "https://[redacted]@vod.example.com',
    );
    expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'key', VOD_BASE_URL: baseUrl })).toThrow(
      /^(?!.*hunter2)/,
    );
  });

  it('never puts the SecretKey in an error', () => {
    expect(() => loadConfig({ VOD_SECRET_ID: 'id', VOD_SECRET_KEY: 'very-secret', VOD_REGION: 'BAD' })).toThrow(
      /^(?!.*very-secret)/,
    );
  });
});
