/**
 * The settings table: every variable `loadConfig` reads (but the egress proxy's, which
 * `proxyFromEnv` reads), the part of the configuration and the option it sets, how it is read,
 * and what else it needs. The rules between variables are rows too: `requires` refuses a
 * setting that means nothing without another ("X is set, but Y is not"), `onlyWhen` ignores one
 * that applies only in some configurations, and `check` holds a setting against those read
 * before it (a VOD_* setting against the API VOD_API chooses: see `vod-api-rules.ts`).
 */
import {
  ConfigError,
  bool,
  callRate,
  clockTolerance,
  endpoint,
  headerNames,
  keySetUrl,
  macSecret,
  ms,
  oneOf,
  origins,
  portNumber,
  postgresUrl,
  scopeName,
  text,
  vodBaseUrl,
  wholeNumber,
  type Reader,
} from './env-readers.js';
import { isSet, secretOf, setAs, variableOf } from './env-source.js';
import type { AuthenticationOptions } from './auth/use-authentication.js';
import type { CoverFitOptions } from './upload/cover-fit.js';
import type { GatewayOptions } from './gateway.js';
import type { PostgresLedgerOptions } from './ledger/postgres-cover-store.js';
import {
  baseUrlUnderApi,
  pathUnderApi,
  regionUnderApi,
  signatureMethodUnderApi,
  subAppIdUnderApi,
  vodApi,
} from './vod-api-rules.js';
import { MAX_FILE_SIZE } from './vod/cover-rules.js';
import type { LegacyVodClientOptions } from './vod/legacy/client.js';
import type { SignatureMethod } from './vod/legacy/protocol.js';
import { OTHER_SECRET_RULE, VOD_SECRET_RULES, type SecretRule } from './vod/secret-file.js';
import type { VodApi } from './vod/vod-api.js';

export { ConfigError, type Reader };

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
    | 'vodRateLimit'
    | 'vodRateQueue'
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

/**
 * The part of the configuration a setting belongs to: `service` (listener, ledger folder, browser
 * access, the fitting switch), `createGateway`'s options, fitting's, the VOD client's, the VOD
 * target's, `auth`, and the PostgreSQL ledger's.
 */
export type SettingGroup = 'service' | 'gateway' | 'fit' | 'vodClient' | 'vod' | 'auth' | 'database';
const GROUPS: readonly SettingGroup[] = ['service', 'gateway', 'fit', 'vodClient', 'vod', 'auth', 'database'];

/** What a setting needs to mean anything: one of `anyOf` set too. */
export interface Requirement {
  /** Met when one of these is set (a secret through its `_FILE` too). */
  anyOf: readonly string[];
  /** The error when it is not; `setAs` is the variable as set (`VOD_TOKEN_FILE` for a file). */
  refusal(setAs: string): ConfigError;
}

/** One row of the table. */
export interface Setting {
  variable: string;
  group: SettingGroup;
  /** The option it sets in its group; a dot nests (`retry.maxAttempts`, `jwt.secret`). */
  option: string;
  /** How a set value is read and checked. */
  read: Reader;
  /** The value when unset; most have none here (their option's own default applies). */
  default?: unknown;
  /** A secret: read from the file `<variable>_FILE` names instead, when that is set. */
  secret?: SecretRule;
  /** Refused, naming the variable, when what it needs is not set. */
  requires?: Requirement;
  /** Read only when this holds, ignored otherwise. */
  onlyWhen?: (env: NodeJS.ProcessEnv) => boolean;
  /**
   * A rule against the settings of its group read before it (ADMIN_PORT against PORT, a VOD_*
   * setting against VOD_API's API): throws a ConfigError naming the variable.
   */
  check?: (variable: string, value: unknown, group: Readonly<Record<string, unknown>>) => void;
}

/** "`setAs` is set, but `unmet`" when none of `anyOf` is. */
const needs = (anyOf: readonly string[], unmet: string): Requirement => ({
  anyOf,
  refusal: (variable) => new ConfigError(variable, `is set, but ${unmet}`),
});
/** Two variables set together or not at all: without one, it is named as missing. */
const pair = (one: string, other: string): [Requirement, Requirement] => {
  const needing = (self: string, missing: string): Requirement => ({
    anyOf: [missing],
    refusal: () => new ConfigError(missing, `is required when ${self} is set`),
  });
  return [needing(one, other), needing(other, one)];
};
const [ID_NEEDS_KEY, KEY_NEEDS_ID] = pair('VOD_SECRET_ID', 'VOD_SECRET_KEY');
const VOD_CREDENTIALS = needs(
  ['VOD_SECRET_ID', 'VOD_SECRET_KEY'],
  'VOD_SECRET_ID and VOD_SECRET_KEY are not (without them the embedded emulator is used)',
);
const TOKEN_KEYS = needs(
  ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL'],
  'neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is (tokens need one of them)',
);
const POSTGRES = needs(['DATABASE_URL'], 'DATABASE_URL is not (without it the ledger is SQLite in DATA_DIR)');

/** Fitting's bounds apply only when COVER_FIT=on (and are not even read otherwise). */
const FITTING_ON = (env: NodeJS.ProcessEnv) => variableOf(env, 'COVER_FIT') === 'on';
/** The embedded emulator's port applies only without VOD credentials. */
const ON_THE_EMULATOR = (env: NodeJS.ProcessEnv) =>
  !isSet(env, 'VOD_SECRET_ID', true) && !isSet(env, 'VOD_SECRET_KEY', true);

/** ADMIN_PORT: a listener of its own, so not PORT's (0, a free port, always differs). */
const notPort = (variable: string, adminPort: unknown, service: Readonly<Record<string, unknown>>) => {
  if (adminPort !== 0 && adminPort === service.port)
    throw new ConfigError(variable, `must differ from PORT (${service.port})`);
};

type Row = readonly [
  variable: string,
  option: string,
  read: Reader,
  more?: Pick<Setting, 'default' | 'secret' | 'requires' | 'onlyWhen' | 'check'>,
];
const group = (name: SettingGroup, rows: readonly Row[]): Setting[] =>
  rows.map(([variable, option, read, more]) => ({ variable, group: name, option, read, ...more }));

/** Every variable the configuration reads, in the order it reads them (the docs' tables list them). */
export const SETTINGS: readonly Setting[] = [
  ...group('service', [
    ['PORT', 'port', portNumber, { default: 4000 }],
    ['HOST', 'host', text, { default: '0.0.0.0' }],
    ['DATA_DIR', 'dataDir', text, { default: './data' }],
    ['NODE_ENV', 'nodeEnv', text],
    ['GRAPHQL_INTROSPECTION', 'introspection', bool],
    ['GRAPHIQL', 'graphiql', bool],
    ['CORS_ORIGINS', 'corsOrigins', origins, { default: [] }],
    ['ADMIN_PORT', 'adminPort', portNumber, { check: notPort }],
  ]),
  ...group('auth', [
    ['AUTH_JWT_SECRET', 'jwt.secret', macSecret('HS256'), { secret: OTHER_SECRET_RULE }],
    ['AUTH_JWKS_URL', 'jwt.jwksUrl', keySetUrl],
    ['AUTH_JWT_ISSUER', 'jwt.issuer', text, { requires: TOKEN_KEYS }],
    ['AUTH_JWT_AUDIENCE', 'jwt.audience', text, { requires: TOKEN_KEYS }],
    ['AUTH_JWT_CLOCK_TOLERANCE_S', 'jwt.clockToleranceSeconds', clockTolerance, { requires: TOKEN_KEYS }],
    ['AUTH_ROUTER_HMAC_SECRET', 'routerSignatureSecret', macSecret('HMAC-SHA256'), { secret: OTHER_SECRET_RULE }],
  ]),
  ...group('database', [
    ['DATABASE_URL', 'connectionString', postgresUrl, { secret: OTHER_SECRET_RULE }],
    ['DATABASE_POOL_SIZE', 'poolSize', wholeNumber(1, 1000), { requires: POSTGRES }],
    ['DATABASE_STATEMENT_TIMEOUT_MS', 'statementTimeoutMs', ms(1), { requires: POSTGRES }],
    ['DATABASE_CONNECT_TIMEOUT_MS', 'connectTimeoutMs', ms(1), { requires: POSTGRES }],
    ['DATABASE_CLAIM_LEASE_MS', 'claimLeaseMs', ms(100), { requires: POSTGRES }],
  ]),
  // The defaults are the options' own (see `GatewayOptions`).
  ...group('gateway', [
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
    ['VOD_RATE_LIMIT', 'vodRateLimit', callRate],
    ['VOD_RATE_QUEUE', 'vodRateQueue', wholeNumber(0, 10_000_000)],
    ['HEADERS_TIMEOUT_MS', 'headersTimeoutMs', ms(1)],
    ['REQUEST_TIMEOUT_MS', 'requestTimeoutMs', ms(1)],
    ['KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs', ms(1)],
    ['SHUTDOWN_GRACE_MS', 'shutdownGraceMs', ms(0)],
    ['SHUTDOWN_DELAY_MS', 'shutdownDelayMs', ms(0)],
    ['LEDGER_MAX_PENDING', 'ledgerMaxPending', wholeNumber(1, 10_000_000)],
    ['LEDGER_RETRY_DELAY_MS', 'ledgerRetryDelayMs', ms(1)],
  ]),
  // Fitting: its switch, then its bounds (read only when it is on).
  ...group('service', [['COVER_FIT', 'coverFit', oneOf('on', 'off')]]),
  ...group('fit', [
    ['MAX_INPUT_FILE_SIZE', 'maxInputFileSize', wholeNumber(1, 1_073_741_824, ' of bytes'), { onlyWhen: FITTING_ON }],
    ['COVER_MAX_DIMENSION', 'maxDimension', wholeNumber(16, 16_384, ' of pixels'), { onlyWhen: FITTING_ON }],
  ]),
  // The pool, the per-attempt timeouts, the retries and their deadline; for the embedded emulator too.
  ...group('vodClient', [
    ['VOD_CONNECTIONS', 'connections', wholeNumber(1, 10_000)],
    ['VOD_CONNECT_TIMEOUT_MS', 'connectTimeoutMs', ms(1)],
    ['VOD_HEADERS_TIMEOUT_MS', 'headersTimeoutMs', ms(1)],
    ['VOD_BODY_TIMEOUT_MS', 'bodyTimeoutMs', ms(1)],
    ['VOD_RETRY_MAX_ATTEMPTS', 'retry.maxAttempts', wholeNumber(1, 20)],
    ['VOD_RETRY_BASE_DELAY_MS', 'retry.baseDelayMs', ms(0)],
    ['VOD_RETRY_MAX_DELAY_MS', 'retry.maxDelayMs', ms(0)],
    ['VOD_DEADLINE_MS', 'retry.deadlineMs', ms(1)],
  ]),
  // Where covers go. Without VOD_SECRET_ID and VOD_SECRET_KEY: the embedded emulator.
  ...group('vod', [
    ['VOD_SECRET_ID', 'secretId', text, { secret: VOD_SECRET_RULES.VOD_SECRET_ID, requires: ID_NEEDS_KEY }],
    ['VOD_SECRET_KEY', 'secretKey', text, { secret: VOD_SECRET_RULES.VOD_SECRET_KEY, requires: KEY_NEEDS_ID }],
    ['VOD_API', 'api', vodApi],
    ['VOD_SUB_APP_ID', 'subAppId', wholeNumber(1, Number.MAX_SAFE_INTEGER), { check: subAppIdUnderApi }],
    ['VOD_BASE_URL', 'baseUrl', vodBaseUrl, { requires: VOD_CREDENTIALS, check: baseUrlUnderApi }],
    ['VOD_REGION', 'region', text, { requires: VOD_CREDENTIALS, check: regionUnderApi }],
    ['VOD_PATH', 'path', text, { requires: VOD_CREDENTIALS, check: pathUnderApi }],
    ['VOD_SIGNATURE_METHOD', 'signatureMethod', text, { requires: VOD_CREDENTIALS, check: signatureMethodUnderApi }],
    ['VOD_TOKEN', 'token', text, { secret: VOD_SECRET_RULES.VOD_TOKEN, requires: VOD_CREDENTIALS }],
    ['EMULATOR_PORT', 'emulatorPort', portNumber, { onlyWhen: ON_THE_EMULATOR }],
  ]),
];

/** A group's rows as `[variable, option, read]` (the configuration reference is checked against them). */
const tableOf = (name: SettingGroup) =>
  SETTINGS.filter((setting) => setting.group === name).map(
    ({ variable, option, read }) => [variable, option, read] as const,
  );
/** Every gateway setting the environment can change; the README's table lists their defaults. */
export const GATEWAY_VARIABLES = tableOf('gateway');
/** The VOD client's settings: the pool, the per-attempt timeouts, the retries and their deadline. */
export const VOD_CLIENT_VARIABLES = tableOf('vodClient');
/** Fitting's settings besides COVER_FIT (which turns it on; they apply only then). */
export const FIT_VARIABLES = tableOf('fit');
/** The PostgreSQL ledger: DATABASE_URL and the pool's settings (which need it). */
export const DATABASE_VARIABLES = tableOf('database');

/** The `service` group, as read (its defaults applied). */
export interface ServiceSettings {
  port: number;
  host: string;
  dataDir: string;
  nodeEnv?: string;
  introspection?: boolean;
  graphiql?: boolean;
  corsOrigins: string[];
  adminPort?: number;
  coverFit?: 'on' | 'off';
}

/** The `vod` group, as read: the variables set, each under its option. */
export interface VodSettings {
  secretId?: string;
  secretKey?: string;
  token?: string;
  api?: VodApi;
  subAppId?: number;
  baseUrl?: string;
  region?: string;
  path?: string;
  signatureMethod?: SignatureMethod;
  emulatorPort?: number;
}

/** What the table reads, by group: each variable set (or defaulted) under its option. */
export interface SettingValues {
  service: ServiceSettings;
  gateway: GatewaySettings;
  fit: CoverFitOptions;
  vodClient: VodClientSettings;
  vod: VodSettings;
  auth: AuthenticationOptions;
  /** Empty without DATABASE_URL; with it, `connectionString` and the pool settings set. */
  database: Partial<PostgresLedgerOptions>;
}

/**
 * Reads the table, row by row: what a setting requires, then its value (a bad one throws a
 * ConfigError naming it), then its check against its group.
 */
export function readSettings(env: NodeJS.ProcessEnv): SettingValues {
  const values: Record<string, Record<string, unknown>> = Object.fromEntries(GROUPS.map((name) => [name, {}]));
  for (const setting of SETTINGS) {
    if (setting.onlyWhen && !setting.onlyWhen(env)) continue;
    checkRequirement(env, setting);
    const group = values[setting.group]!;
    const value = readSetting(env, setting);
    if (value === undefined) continue;
    setting.check?.(setting.variable, value, group);
    setOption(group, setting.option, value);
  }
  // Each group's options are its type's, each read into its type: `SETTINGS` is written so.
  return values as unknown as SettingValues;
}

function checkRequirement(env: NodeJS.ProcessEnv, { variable, secret, requires }: Setting): void {
  if (!requires || !isSet(env, variable, secret !== undefined)) return;
  if (requires.anyOf.some((name) => isSet(env, name, isSecret(name)))) return;
  throw requires.refusal(setAs(env, variable));
}

function isSecret(variable: string): boolean {
  return SETTINGS.some((setting) => setting.variable === variable && setting.secret !== undefined);
}

function readSetting(env: NodeJS.ProcessEnv, { variable, read, secret, default: fallback }: Setting): unknown {
  const value = secret ? secretOf(env, variable, secret) : variableOf(env, variable);
  if (value !== undefined) return read(variable, value);
  return fallback === undefined ? undefined : structuredClone(fallback);
}

/** Sets `option` in `target`; a dotted path nests (`retry.maxAttempts` → `{ retry: { maxAttempts } }`). */
function setOption(target: Record<string, unknown>, option: string, value: unknown): void {
  const path = option.split('.');
  const last = path.pop() as string;
  let at = target;
  for (const key of path) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[last] = value;
}
