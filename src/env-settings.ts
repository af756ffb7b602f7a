import type { GatewayOptions } from './gateway.js';
import type { LegacyVodClientOptions } from './vod/legacy/client.js';
import { MAX_FILE_SIZE } from './vod/cover-rules.js';

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The `createGateway` options the environment can set (the rest come from other variables or code). */
export type GatewaySettings = Partial<
  Pick<
    GatewayOptions,
    | 'graphqlEndpoint'
    | 'uploadScope'
    | 'maxFileSize'
    | 'coverMetadata'
    | 'maxPixels'
    | 'fit'
    | 'maxFieldSize'
    | 'maxBodySize'
    | 'maxRepresentations'
    | 'csrfHeaders'
    | 'uploadDeadlineMs'
    | 'maxConcurrentVodCalls'
    | 'vodQueueTimeoutMs'
    | 'headersTimeoutMs'
    | 'requestTimeoutMs'
    | 'keepAliveTimeoutMs'
    | 'shutdownGraceMs'
    | 'shutdownDelayMs'
    | 'ledgerMaxPending'
    | 'ledgerRetryDelayMs'
  >
>;

/** The VOD client options the environment can set, whichever VOD (the embedded emulator too); `proxy` from HTTPS_PROXY, HTTP_PROXY and NO_PROXY. */
export type VodClientSettings = Partial<
  Pick<
    LegacyVodClientOptions,
    'connections' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'retry' | 'proxy'
  >
>;

/** Reads one variable's (non-empty) value, or throws a ConfigError naming the variable. */
export type Reader<T = unknown> = (variable: string, value: string) => T;

const HOUR_MS = 3_600_000;
export const wholeNumber =
  (min: number, max: number, unit = ''): Reader<number> =>
  (variable, value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || n < min || n > max)
      throw new ConfigError(
        variable,
        `must be a whole number${unit} from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    return n;
  };
const ms = (min: number): Reader => wholeNumber(min, HOUR_MS, ' of milliseconds');
export const bool: Reader<boolean> = (variable, value) => {
  if (value !== 'true' && value !== 'false')
    throw new ConfigError(variable, `must be "true" or "false", got ${JSON.stringify(value)}`);
  return value === 'true';
};
export const portNumber: Reader<number> = (variable, value) => {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535)
    throw new ConfigError(variable, `must be a port number 0–65535, got ${JSON.stringify(value)}`);
  return port;
};
const endpoint: Reader = (variable, value) => {
  if (!/^\/[\w\-./]*$/.test(value))
    throw new ConfigError(variable, `must be a path such as "/graphql", got ${JSON.stringify(value)}`);
  return value;
};
const headerNames: Reader = (variable, value) => {
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  if (names.some((name) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)))
    throw new ConfigError(variable, `must be header names separated by commas, got ${JSON.stringify(value)}`);
  return names;
};

const oneOf =
  (...values: string[]): Reader<string> =>
  (variable, value) => {
    if (!values.includes(value))
      throw new ConfigError(
        variable,
        `must be ${values.map((v) => `"${v}"`).join(' or ')}, got ${JSON.stringify(value)}`,
      );
    return value;
  };

const scopeName: Reader = (variable, value) => {
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value))
    throw new ConfigError(variable, `must be one OAuth scope (no spaces or quotes), got ${JSON.stringify(value)}`);
  return value;
};
/** Origins as browsers send them: `scheme://host[:port]`, no path, no `*`. */
export const origins: Reader<string[]> = (variable, value) =>
  value.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError(
        variable,
        `must be origins such as "https://app.example.com" separated by commas (no path, no "*"), got ${JSON.stringify(origin)}`,
      );
    }
    return origin;
  });

/**
 * Every gateway setting the environment can change: its variable, the option it sets, how it is
 * read. The defaults are the options' own (see `GatewayOptions`); the README's table lists them.
 */
export const GATEWAY_VARIABLES: readonly (readonly [variable: string, option: keyof GatewaySettings, read: Reader])[] =
  [
    ['GRAPHQL_ENDPOINT', 'graphqlEndpoint', endpoint],
    ['AUTH_UPLOAD_SCOPE', 'uploadScope', scopeName],
    ['MAX_FILE_SIZE', 'maxFileSize', wholeNumber(1, MAX_FILE_SIZE, ' of bytes')],
    ['COVER_METADATA', 'coverMetadata', oneOf('strip', 'keep')],
    ['MAX_INPUT_PIXELS', 'maxPixels', wholeNumber(1, 1_000_000_000)],
    ['MAX_FIELD_SIZE', 'maxFieldSize', wholeNumber(1, 10_000_000, ' of bytes')],
    ['MAX_BODY_SIZE', 'maxBodySize', wholeNumber(1, 100_000_000, ' of bytes')],
    ['MAX_REPRESENTATIONS', 'maxRepresentations', wholeNumber(1, 1_000_000)],
    ['CSRF_HEADERS', 'csrfHeaders', headerNames],
    ['UPLOAD_DEADLINE_MS', 'uploadDeadlineMs', ms(1)],
    ['MAX_CONCURRENT_VOD_CALLS', 'maxConcurrentVodCalls', wholeNumber(1, 100_000)],
    ['VOD_QUEUE_TIMEOUT_MS', 'vodQueueTimeoutMs', ms(0)],
    ['HEADERS_TIMEOUT_MS', 'headersTimeoutMs', ms(1)],
    ['REQUEST_TIMEOUT_MS', 'requestTimeoutMs', ms(1)],
    ['KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs', ms(1)],
    ['SHUTDOWN_GRACE_MS', 'shutdownGraceMs', ms(0)],
    ['SHUTDOWN_DELAY_MS', 'shutdownDelayMs', ms(0)],
    ['LEDGER_MAX_PENDING', 'ledgerMaxPending', wholeNumber(1, 10_000_000)],
    ['LEDGER_RETRY_DELAY_MS', 'ledgerRetryDelayMs', ms(1)],
  ];

/** The VOD client's settings: the pool, the per-attempt timeouts, the retries and their deadline. */
export const VOD_CLIENT_VARIABLES: readonly (readonly [variable: string, option: string, read: Reader])[] = [
  ['VOD_CONNECTIONS', 'connections', wholeNumber(1, 10_000)],
  ['VOD_CONNECT_TIMEOUT_MS', 'connectTimeoutMs', ms(1)],
  ['VOD_HEADERS_TIMEOUT_MS', 'headersTimeoutMs', ms(1)],
  ['VOD_BODY_TIMEOUT_MS', 'bodyTimeoutMs', ms(1)],
  ['VOD_RETRY_MAX_ATTEMPTS', 'retry.maxAttempts', wholeNumber(1, 20)],
  ['VOD_RETRY_BASE_DELAY_MS', 'retry.baseDelayMs', ms(0)],
  ['VOD_RETRY_MAX_DELAY_MS', 'retry.maxDelayMs', ms(0)],
  ['VOD_DEADLINE_MS', 'retry.deadlineMs', ms(1)],
];

/** Fitting's settings besides COVER_FIT (which turns it on; they apply only then). */
export const FIT_VARIABLES: readonly (readonly [variable: string, option: string, read: Reader])[] = [
  ['MAX_INPUT_FILE_SIZE', 'maxInputFileSize', wholeNumber(1, 1_073_741_824, ' of bytes')],
  ['COVER_MAX_DIMENSION', 'maxDimension', wholeNumber(16, 16_384, ' of pixels')],
];

/** The PostgreSQL ledger's settings besides DATABASE_URL (which needs it). */
export const DATABASE_VARIABLES: readonly (readonly [variable: string, option: string, read: Reader])[] = [
  ['DATABASE_POOL_SIZE', 'poolSize', wholeNumber(1, 1000)],
  ['DATABASE_STATEMENT_TIMEOUT_MS', 'statementTimeoutMs', ms(1)],
  ['DATABASE_CONNECT_TIMEOUT_MS', 'connectTimeoutMs', ms(1)],
  ['DATABASE_CLAIM_LEASE_MS', 'claimLeaseMs', ms(100)],
];

/**
 * The options a table's set variables give, read and checked (a bad one throws a ConfigError naming
 * it); `retry.x` nests.
 */
export function readVariables(
  read: (name: string) => string | undefined,
  table: readonly (readonly [variable: string, option: string, read: Reader])[],
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [variable, option, parse] of table) {
    const value = read(variable);
    if (value === undefined) continue;
    const [outer, inner] = option.split('.', 2) as [string, string?];
    if (inner === undefined) options[outer] = parse(variable, value);
    else options[outer] = { ...(options[outer] as object | undefined), [inner]: parse(variable, value) };
  }
  return options;
}

/** The settings whose variables are set, read and checked (a bad one throws a ConfigError naming it). */
export function readSettings(read: (name: string) => string | undefined): {
  gateway: GatewaySettings;
  vodClient: VodClientSettings;
} {
  const gateway = readVariables(read, GATEWAY_VARIABLES) as GatewaySettings;
  const fit = read('COVER_FIT');
  if (fit !== undefined && oneOf('on', 'off')('COVER_FIT', fit) === 'on')
    gateway.fit = readVariables(read, FIT_VARIABLES);
  return { gateway, vodClient: readVariables(read, VOD_CLIENT_VARIABLES) as VodClientSettings };
}
