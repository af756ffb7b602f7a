import type { AuthenticationOptions } from './auth/use-authentication.js';
import { ConfigError, readSettings, type GatewaySettings, type VodClientSettings } from './env-settings.js';
import type { GatewayOptions } from './gateway.js';
import type { PostgresLedgerOptions } from './ledger/postgres-cover-store.js';
import { type CredentialVariables, inVendorTerms, withVendorCredentials } from './vendor-credentials.js';
import { type VodTarget, vodTargetOf } from './vod-target.js';
import { ProxyVariableError, proxyFromEnv, type ProxySettings } from './vod/proxy-settings.js';

export { ConfigError, type VodTarget };

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
 * Reads and checks the configuration (see docs/configuration.md, and `SETTINGS` for the table it
 * reads). Without VOD_SECRET_ID and VOD_SECRET_KEY the gateway runs against the embedded emulator.
 */
export function loadConfig(given: NodeJS.ProcessEnv = process.env): Config {
  // TENCENTCLOUD_SECRET_ID/KEY/SESSION_TOKEN, the vendor's own, stand for the VOD_* pair when it is unset.
  const { env, from } = withVendorCredentials(given);
  try {
    return configOf(env, from);
  } catch (error) {
    if (error instanceof ConfigError && from?.startsWith('TENCENTCLOUD')) throw inVendorTerms(error, given);
    throw error;
  }
}

function configOf(env: NodeJS.ProcessEnv, credentialsFrom: CredentialVariables | undefined): Config {
  const { service, auth, database, ...settings } = readSettings(env);
  const production = service.nodeEnv === 'production';
  // The proxy as checked here, so that the VOD client reads no variable of its own.
  const proxy = readProxy(env);
  return {
    port: service.port,
    host: service.host,
    dataDir: service.dataDir,
    introspection: service.introspection ?? !production,
    graphiql: service.graphiql ?? !production,
    corsOrigins: service.corsOrigins,
    ...(service.adminPort === undefined ? {} : { adminPort: service.adminPort }),
    ...(isEmpty(auth) ? {} : { auth }),
    // Every pool setting requires DATABASE_URL: set at all, the group holds `connectionString`.
    ...(isEmpty(database) ? {} : { database: database as PostgresLedgerOptions }),
    gateway: service.coverFit === 'on' ? { ...settings.gateway, fit: settings.fit } : settings.gateway,
    vodClient: { ...settings.vodClient, ...(proxy ? { proxy } : {}) },
    vod: vodTargetOf(settings.vod, env, credentialsFrom),
  };
}

const isEmpty = (group: object) => Object.keys(group).length === 0;

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms), checked; undefined when no proxy is set. */
function readProxy(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  try {
    return proxyFromEnv(env);
  } catch (error) {
    if (error instanceof ProxyVariableError) throw new ConfigError(error.variable, error.problem);
    throw error;
  }
}
