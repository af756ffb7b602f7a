import type { CredentialFiles } from './vod/credentials.js';
import { MAX_CLOCK_TOLERANCE_SECONDS, MIN_SECRET_BYTES } from './auth/jwt-verifier.js';
import { keySetUrlProblem } from './auth/key-set-fetch.js';
import type { AuthenticationOptions } from './auth/use-authentication.js';
import type { GatewayOptions } from './gateway.js';
import type { PostgresLedgerOptions } from './ledger/postgres-cover-store.js';
import {
  ConfigError,
  DATABASE_VARIABLES,
  bool,
  origins,
  portNumber,
  wholeNumber,
  readSettings,
  readVariables,
  type GatewaySettings,
  type Reader,
  type VodClientSettings,
} from './env-settings.js';
import { DEFAULT_API3_BASE_URL } from './vod/api3/protocol.js';
import { vodBaseUrlProblem } from './vod/base-url.js';
import { ProxyVariableError, proxyFromEnv, type ProxySettings } from './vod/proxy-settings.js';
import {
  OTHER_SECRET_RULE,
  VOD_SECRET_RULES,
  readSecretFileSync,
  tokenProblem,
  type SecretRule,
} from './vod/secret-file.js';
import { DEFAULT_VOD_API, VOD_APIS, type VodApi } from './vod/vod-api.js';
import {
  DEFAULT_REGION,
  DEFAULT_VOD_BASE_URL,
  REGION_PATTERN,
  SIGNATURE_METHODS,
  VOD_PATHS,
  type SignatureMethod,
} from './vod/legacy/protocol.js';

export { ConfigError };

/** API 3.0's region names: an area and a city, with dashes (`ap-guangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`). */
const API3_REGION_PATTERN = /^[a-z]+(-[a-z0-9]+)+$/;

/** Where covers go: the embedded emulator, or a real VOD with credentials. */
export type VodTarget =
  | { kind: 'emulator'; emulatorPort: number; api: VodApi; subAppId?: number }
  | {
      kind: 'remote';
      api: 'legacy';
      secretId: string;
      secretKey: string;
      baseUrl: string;
      region: string;
      path: string;
      signatureMethod: SignatureMethod;
      token?: string;
      /** With `*_FILE` variables: the files, read again while the service runs (`fileCredentials`). */
      credentialFiles?: CredentialFiles;
    }
  | {
      kind: 'remote';
      api: 'v3';
      secretId: string;
      secretKey: string;
      baseUrl: string;
      /** X-TC-Region, sent only when set (VOD is not regional). */
      region?: string;
      subAppId?: number;
      token?: string;
      /** With `*_FILE` variables: the files, read again while the service runs (`fileCredentials`). */
      credentialFiles?: CredentialFiles;
    };

/** The service's configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  /** Folder of the cover ledger (`covers.sqlite`); created on first start. */
  dataDir: string;
  /** Answer introspection; off in production unless GRAPHQL_INTROSPECTION=true. */
  introspection: boolean;
  /** Serve GraphiQL; off in production unless GRAPHIQL=true. */
  graphiql: boolean;
  /** Who may call: undefined when no AUTH_* variable is set (anyone who reaches the port). */
  auth?: AuthenticationOptions;
  /** CORS_ORIGINS: the origins whose pages may call from a browser. */
  corsOrigins: string[];
  /** ADMIN_PORT: `/metrics`, `/health` and `/ready` on their own listener. */
  adminPort?: number;
  /** DATABASE_URL and its settings: the PostgreSQL ledger replicas share (else SQLite in DATA_DIR). */
  database?: PostgresLedgerOptions;
  vod: VodTarget;
  /** `createGateway` options set by their variables (see `GATEWAY_VARIABLES`); unset ones keep their defaults. */
  gateway: GatewaySettings;
  /** VOD client options set by their variables (see `VOD_CLIENT_VARIABLES`), for the emulator too. */
  vodClient: VodClientSettings;
}

/** The `createGateway` options the configuration sets: all but the VOD client and the ledger, which the caller opens. */
export function gatewayOptionsOf(config: Config): Omit<GatewayOptions, 'vod' | 'ledger'> {
  return {
    ...config.gateway,
    vodApi: config.vod.api,
    introspection: config.introspection,
    graphiql: config.graphiql,
    corsOrigins: config.corsOrigins,
    ...(config.auth ? { auth: config.auth } : {}),
    ...(config.adminPort === undefined ? {} : { adminPort: config.adminPort }),
  };
}

/**
 * Reads and checks the configuration (see the README's table). Without VOD_SECRET_ID and
 * VOD_SECRET_KEY the gateway runs against the embedded emulator.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  /**
   * A secret from its variable, or from the file `<name>_FILE` names (Docker and Kubernetes
   * secrets): a regular file of at most `rule.maxBytes`, with the rule's shape. A problem names
   * the variable and never quotes the secret.
   */
  const readSecret = (name: string, rule: SecretRule = OTHER_SECRET_RULE): string | undefined => {
    const file = read(`${name}_FILE`);
    if (file === undefined) {
      const value = read(name);
      if (value === undefined) return undefined;
      if (Buffer.byteLength(value) > rule.maxBytes)
        throw new ConfigError(name, `is longer than ${rule.maxBytes} bytes, more than this secret can be`);
      const problem = rule.shape === 'token' ? tokenProblem(value) : undefined;
      if (problem) throw new ConfigError(name, problem);
      return value;
    }
    if (read(name) !== undefined) throw new ConfigError(`${name}_FILE`, `is set, and so is ${name}: set one of them`);
    try {
      return readSecretFileSync(file, rule);
    } catch (error) {
      throw new ConfigError(`${name}_FILE`, `${JSON.stringify(file)} ${(error as Error).message}`);
    }
  };
  /** A variable read with `reader`, or `fallback` when it is unset. */
  const readAs = <T>(name: string, reader: Reader<T>, fallback: T): T => {
    const value = read(name);
    return value === undefined ? fallback : reader(name, value);
  };
  const port = readAs('PORT', portNumber, 4000);
  const host = read('HOST') ?? '0.0.0.0';
  const dataDir = read('DATA_DIR') ?? './data';
  const production = read('NODE_ENV') === 'production';
  const introspection = readAs('GRAPHQL_INTROSPECTION', bool, !production);
  const graphiql = readAs('GRAPHIQL', bool, !production);
  const corsOrigins = readAs('CORS_ORIGINS', origins, []);
  const adminPort = readAs<number | undefined>('ADMIN_PORT', portNumber, undefined);
  if (adminPort !== undefined && adminPort !== 0 && adminPort === port)
    throw new ConfigError('ADMIN_PORT', `must differ from PORT (${port})`);
  const auth = readAuth(read, readSecret);
  const database = readDatabase(read, readSecret);
  const proxy = readProxy(env);
  const settings = readSettings(read);
  const common = {
    port,
    host,
    dataDir,
    introspection,
    graphiql,
    corsOrigins,
    ...(adminPort === undefined ? {} : { adminPort }),
    ...(auth ? { auth } : {}),
    ...(database ? { database } : {}),
    gateway: settings.gateway,
    // The proxy as checked here, so that the client reads no variable of its own.
    vodClient: { ...settings.vodClient, ...(proxy ? { proxy } : {}) },
  };
  const secretId = readSecret('VOD_SECRET_ID', VOD_SECRET_RULES.VOD_SECRET_ID);
  const secretKey = readSecret('VOD_SECRET_KEY', VOD_SECRET_RULES.VOD_SECRET_KEY);

  const chosenApi = read('VOD_API');
  if (chosenApi !== undefined && !VOD_APIS.includes(chosenApi as VodApi))
    throw new ConfigError(
      'VOD_API',
      `must be "v3" (API 3.0, the default) or "legacy" (SmallFileUpload), got ${JSON.stringify(chosenApi)}`,
    );
  const api = (chosenApi as VodApi | undefined) ?? DEFAULT_VOD_API;
  // What a message calls the API in use: the operator's choice, or the default.
  const apiInUse = chosenApi === undefined ? 'API 3.0 (the default without VOD_API)' : `VOD_API=${api}`;
  const subAppId = readAs<number | undefined>('VOD_SUB_APP_ID', wholeNumber(1, Number.MAX_SAFE_INTEGER), undefined);
  if (subAppId !== undefined && api !== 'v3')
    throw new ConfigError(
      'VOD_SUB_APP_ID',
      'is an API 3.0 setting, but VOD_API is "legacy" (SmallFileUpload has no sub-applications)',
    );
  const withSubApp = subAppId === undefined ? {} : { subAppId };

  if (secretId === undefined && secretKey === undefined) {
    for (const name of [
      'VOD_BASE_URL',
      'VOD_REGION',
      'VOD_PATH',
      'VOD_SIGNATURE_METHOD',
      'VOD_TOKEN',
      'VOD_TOKEN_FILE',
    ]) {
      if (read(name) !== undefined)
        throw new ConfigError(
          name,
          'is set, but VOD_SECRET_ID and VOD_SECRET_KEY are not (without them the embedded emulator is used)',
        );
    }
    return {
      ...common,
      vod: { kind: 'emulator', emulatorPort: readAs('EMULATOR_PORT', portNumber, 0), api, ...withSubApp },
    };
  }
  if (secretId === undefined) throw new ConfigError('VOD_SECRET_ID', 'is required when VOD_SECRET_KEY is set');
  if (secretKey === undefined) throw new ConfigError('VOD_SECRET_KEY', 'is required when VOD_SECRET_ID is set');

  const baseUrl = read('VOD_BASE_URL') ?? (api === 'v3' ? DEFAULT_API3_BASE_URL : DEFAULT_VOD_BASE_URL);
  const baseUrlProblem = vodBaseUrlProblem(baseUrl);
  if (baseUrlProblem) throw new ConfigError('VOD_BASE_URL', baseUrlProblem);
  const token = readSecret('VOD_TOKEN', VOD_SECRET_RULES.VOD_TOKEN);
  // Mounted secrets are rotated in place: read from their files again, not only at start.
  const files = {
    secretIdFile: read('VOD_SECRET_ID_FILE'),
    secretKeyFile: read('VOD_SECRET_KEY_FILE'),
    tokenFile: read('VOD_TOKEN_FILE'),
  };
  const fromFiles =
    files.secretIdFile || files.secretKeyFile || files.tokenFile
      ? {
          credentialFiles: {
            ...Object.fromEntries(Object.entries(files).filter(([, path]) => path !== undefined)),
            secretId,
            secretKey,
            ...(token === undefined ? {} : { token }),
          },
        }
      : {};
  // What both APIs sign with.
  const signing = { secretId, secretKey, ...(token ? { token } : {}), ...fromFiles };
  if (api === 'v3') {
    for (const name of ['VOD_PATH', 'VOD_SIGNATURE_METHOD']) {
      if (read(name) !== undefined)
        throw new ConfigError(
          name,
          `is a legacy API setting (VOD_API=legacy); ${apiInUse} always posts to / and signs with TC3-HMAC-SHA256`,
        );
    }
    if (new URL(baseUrl).origin === DEFAULT_VOD_BASE_URL)
      throw new ConfigError(
        'VOD_BASE_URL',
        `is the legacy API's endpoint (VOD_API=legacy); ${apiInUse} is at ${DEFAULT_API3_BASE_URL} (unset VOD_BASE_URL for it)`,
      );
    const v3Region = read('VOD_REGION');
    if (v3Region !== undefined && !API3_REGION_PATTERN.test(v3Region))
      throw new ConfigError(
        'VOD_REGION',
        REGION_PATTERN.test(v3Region)
          ? `${JSON.stringify(v3Region)} is a legacy region code (VOD_API=legacy); ${apiInUse} takes regions such as "ap-guangzhou", and needs none (VOD is not regional)`
          : `must be an API 3.0 region such as "ap-guangzhou", or unset (VOD is not regional), got ${JSON.stringify(v3Region)}`,
      );
    return {
      ...common,
      vod: {
        kind: 'remote',
        api,
        ...signing,
        baseUrl,
        ...(v3Region ? { region: v3Region } : {}),
        ...withSubApp,
      },
    };
  }
  const region = read('VOD_REGION') ?? DEFAULT_REGION;
  if (!REGION_PATTERN.test(region))
    throw new ConfigError('VOD_REGION', `must be a lower-case region code such as "gz", got ${JSON.stringify(region)}`);
  const path = read('VOD_PATH') ?? VOD_PATHS[0];
  if (!path.startsWith('/')) throw new ConfigError('VOD_PATH', `must start with "/", got ${JSON.stringify(path)}`);
  const signatureMethod = (read('VOD_SIGNATURE_METHOD') ?? 'HmacSHA1') as SignatureMethod;
  if (!SIGNATURE_METHODS.includes(signatureMethod)) {
    throw new ConfigError('VOD_SIGNATURE_METHOD', `must be one of ${SIGNATURE_METHODS.join(', ')}`);
  }
  return {
    ...common,
    vod: {
      kind: 'remote',
      api,
      ...signing,
      baseUrl,
      region,
      path,
      signatureMethod,
    },
  };
}

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms), checked; undefined when no proxy is set. */
function readProxy(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  try {
    return proxyFromEnv(env);
  } catch (error) {
    if (error instanceof ProxyVariableError) throw new ConfigError(error.variable, error.problem);
    throw error;
  }
}

/** The AUTH_* variables: bearer JWTs (a secret or a JWKS URL) and the router's HMAC signature. */
function readAuth(
  read: (name: string) => string | undefined,
  readSecret: (name: string) => string | undefined,
): AuthenticationOptions | undefined {
  const secret = readSecret('AUTH_JWT_SECRET');
  const jwksUrl = read('AUTH_JWKS_URL');
  const issuer = read('AUTH_JWT_ISSUER');
  const audience = read('AUTH_JWT_AUDIENCE');
  const tolerance = read('AUTH_JWT_CLOCK_TOLERANCE_S');
  const routerSignatureSecret = readSecret('AUTH_ROUTER_HMAC_SECRET');
  if (routerSignatureSecret !== undefined && Buffer.byteLength(routerSignatureSecret) < MIN_SECRET_BYTES) {
    throw new ConfigError(
      'AUTH_ROUTER_HMAC_SECRET',
      `must be at least ${MIN_SECRET_BYTES} bytes for HMAC-SHA256, got ${Buffer.byteLength(routerSignatureSecret)}`,
    );
  }
  if (secret === undefined && jwksUrl === undefined) {
    for (const [name, value] of [
      ['AUTH_JWT_ISSUER', issuer],
      ['AUTH_JWT_AUDIENCE', audience],
      ['AUTH_JWT_CLOCK_TOLERANCE_S', tolerance],
    ] as const) {
      if (value !== undefined)
        throw new ConfigError(
          name,
          'is set, but neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is (tokens need one of them)',
        );
    }
    return routerSignatureSecret === undefined ? undefined : { routerSignatureSecret };
  }
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new ConfigError(
      'AUTH_JWT_SECRET',
      `must be at least ${MIN_SECRET_BYTES} bytes for HS256, got ${Buffer.byteLength(secret)}`,
    );
  }
  const jwksUrlProblem = jwksUrl === undefined ? undefined : keySetUrlProblem(jwksUrl);
  if (jwksUrlProblem) throw new ConfigError('AUTH_JWKS_URL', jwksUrlProblem);
  const clockToleranceSeconds =
    tolerance === undefined
      ? undefined
      : wholeNumber(0, MAX_CLOCK_TOLERANCE_SECONDS, ' of seconds')('AUTH_JWT_CLOCK_TOLERANCE_S', tolerance);
  const jwt = {
    ...(secret === undefined ? {} : { secret }),
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
    ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }),
  };
  return { jwt, ...(routerSignatureSecret === undefined ? {} : { routerSignatureSecret }) };
}

/** DATABASE_URL (or DATABASE_URL_FILE) and the pool's settings; undefined without a URL. */
function readDatabase(
  read: (name: string) => string | undefined,
  readSecret: (name: string) => string | undefined,
): PostgresLedgerOptions | undefined {
  const connectionString = readSecret('DATABASE_URL');
  if (connectionString === undefined) {
    for (const [name] of DATABASE_VARIABLES)
      if (read(name) !== undefined)
        throw new ConfigError(name, 'is set, but DATABASE_URL is not (without it the ledger is SQLite in DATA_DIR)');
    return undefined;
  }
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(connectionString))
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  return { connectionString, ...readVariables(read, DATABASE_VARIABLES) };
}
