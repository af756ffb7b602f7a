#!/usr/bin/env node
/**
 * `npm start`: read the configuration, start the embedded VOD emulator when no credentials are
 * set, then the gateway. SIGINT/SIGTERM close both.
 */
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthenticationOptions } from './auth/use-authentication.js';
import { ConfigError, gatewayOptionsOf, loadConfig } from './config.js';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from './emulator/server.js';
import { createGateway } from './gateway.js';
import { useEmulatorCovers } from './http/emulator-covers.js';
import { createLogger } from './observability/logger.js';
import { startTracing, tracingConfigured } from './observability/tracing.js';
import type { CoverStore } from './ledger/cover-store.js';
import { openPostgresCoverStore } from './ledger/postgres-cover-store.js';
import { openSqliteCoverStore } from './ledger/sqlite-cover-store.js';
import type { Api3VodClientOptions } from './vod/api3/client.js';
import { fileCredentials } from './vod/credentials.js';
import type { LegacyVodClientOptions } from './vod/legacy/client.js';
import type { VodApi } from './vod/vod-api.js';

// Every line the process writes, start-up and shutdown included, is this logger's (pino JSON, or
// pretty on a terminal), the gateway's and Yoga's lines too.
const logger = createLogger();

// A crash is a line like any other (with its stack in `err`), then the exit Node would make.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.once(event, (error) => {
    logger.fatal({ err: error }, `${event}: the service stops`);
    process.exit(1);
  });
}

/** A configuration that cannot start: one fatal line naming the variable, exit code 1. */
function stopStart(message: string): never {
  logger.fatal(`Configuration error: ${message}`);
  process.exit(1);
}

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return stopStart(error.message);
  }
})();

/** How the start line names each API. */
const API_NAMES: Readonly<Record<VodApi, string>> = {
  v3: 'API 3.0 (ModifyMediaInfo)',
  legacy: 'legacy API (SmallFileUpload)',
};

let emulator: VodEmulator | undefined;
let vod: LegacyVodClientOptions | Api3VodClientOptions;
/** A port that cannot be listened on is a configuration error: one line naming the variable, exit code 1. */
async function listenOrExit<T>(variable: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
    // The gateway's admin listener fails with `listener: 'admin'`.
    if ((error as { listener?: string }).listener === 'admin') [variable, port] = ['ADMIN_PORT', config.adminPort ?? 0];
    const why =
      code === 'EADDRINUSE'
        ? 'is already in use'
        : code === 'EACCES'
          ? 'may not be listened on by this user'
          : 'is not an address of this machine';
    return stopStart(`${variable}: port ${port} ${why} (${code})`);
  }
}

// The ledger first: a database or folder that cannot be used stops the start before anything listens.
const ledgerFile = join(config.dataDir, 'covers.sqlite');
let ledger: CoverStore;
if (config.database) {
  try {
    ledger = await openPostgresCoverStore(config.database);
  } catch (error) {
    stopStart(
      `DATABASE_URL: PostgreSQL at ${describeDatabase(config.database.connectionString)} cannot be used (${describeFailure(error)})`,
    );
  }
} else {
  try {
    ledger = openSqliteCoverStore(ledgerFile);
  } catch (error) {
    stopStart(`DATA_DIR: the cover ledger ${ledgerFile} cannot be created or opened (${(error as Error).message})`);
  }
}

if (config.vod.kind === 'emulator') {
  const emulatorPort = config.vod.emulatorPort;
  emulator = await listenOrExit('EMULATOR_PORT', emulatorPort, () => startVodEmulator({ port: emulatorPort }));
  vod = {
    ...DEV_CREDENTIAL,
    baseUrl: emulator.url,
    ...(config.vod.subAppId === undefined ? {} : { subAppId: config.vod.subAppId }),
    ...config.vodClient,
  };
  logger.info(
    `VOD emulator (no VOD_SECRET_ID/VOD_SECRET_KEY or TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY set), ${API_NAMES[config.vod.api]}: ${emulator.url}`,
  );
} else {
  const { kind: _kind, api: _api, credentialFiles, credentialsFrom, ...remote } = config.vod;
  // Mounted secret files are read again while the service runs; a problem with one is one line.
  const credentials = credentialFiles
    ? fileCredentials(credentialFiles, {
        initial: {
          secretId: remote.secretId,
          secretKey: remote.secretKey,
          ...(remote.token ? { token: remote.token } : {}),
        },
        report: (message, recovered) => (recovered ? logger.info(message) : logger.warn(message)),
      })
    : undefined;
  vod = { ...remote, ...(credentials ? { credentials } : {}), ...config.vodClient };
  const secretId = `${describeSecretId(config.vod.secretId)}, from ${credentialsFrom}`;
  logger.info(
    config.vod.api === 'v3'
      ? `VOD ${API_NAMES.v3}: ${config.vod.baseUrl} (${config.vod.subAppId === undefined ? '' : `SubAppId ${config.vod.subAppId}, `}${secretId})`
      : `VOD ${API_NAMES.legacy}: ${config.vod.baseUrl}${config.vod.path} (region ${config.vod.region}, ${secretId})`,
  );
}

// OpenTelemetry when the standard OTEL_* variables configure an exporter, and only then.
const tracing = tracingConfigured() ? await startTracing() : undefined;
if (tracing) logger.info('Tracing: on (OpenTelemetry, configured by the OTEL_* variables)');
const gateway = createGateway({
  ...gatewayOptionsOf(config),
  vod,
  ledger,
  logger,
  // The embedded emulator's covers are served here too, so that their urls work wherever clients are.
  plugins: [...(emulator ? [useEmulatorCovers(emulator)] : []), ...(tracing ? [tracing.plugin] : [])],
});
logger.info(
  `Cover ledger: ${config.database ? `PostgreSQL at ${describeDatabase(config.database.connectionString)}` : ledgerFile}`,
);
const url = await listenOrExit(`PORT (HOST ${config.host})`, config.port, () =>
  gateway.listen(config.port, config.host),
);
logger.info(describeAuthentication(config.auth));
logger.info(
  config.graphiql
    ? `GraphQL and GraphiQL: ${url}`
    : `GraphQL: ${url} (GraphiQL off: NODE_ENV=production without GRAPHIQL=true)`,
);
if (gateway.adminServer)
  logger.info(`Admin (/metrics, /health, /ready): port ${(gateway.adminServer.address() as AddressInfo).port}`);
logger.info(`Upload a cover with curl:

curl ${url} \\
  -H 'x-graphql-yoga-csrf: 1' \\
  -F operations='{"query":"mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) { __typename ... on UploadVideoCoverSuccess { fileId url sha1 size instant } ... on UploadVideoCoverError { code reason message canRetry } } }","variables":{"fileId":"9031868222807461771","file":null}}' \\
  -F map='{"0":["variables.file"]}' \\
  -F 0=@${sampleCover()}
`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: closing`);
    // The gateway first: uploads in flight finish (on the embedded emulator too), then the rest.
    void gateway
      .close()
      .then(() => Promise.all([ledger.close(), emulator?.close(), tracing?.shutdown()]))
      .then(() => process.exit(0));
  });
}

/** One line: who may call, so that an open service is never a surprise. */
function describeAuthentication(auth: AuthenticationOptions | undefined): string {
  if (!auth)
    return 'Authentication: off (no AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_ROUTER_HMAC_SECRET): anyone who reaches the port may change covers';
  const ways = [
    ...(auth.jwt?.secret !== undefined ? ['bearer JWT (HS256 secret)'] : []),
    ...(auth.jwt?.jwksUrl !== undefined ? [`bearer JWT (keys from ${auth.jwt.jwksUrl})`] : []),
    ...(auth.routerSignatureSecret !== undefined ? ['router HMAC signature'] : []),
  ];
  return `Authentication: ${ways.join(' and ')} required on every operation`;
}

/**
 * Which SecretId is in use, without printing it: its last 4 characters and its length (enough to
 * tell two apart, or an id from a key put in its place).
 */
function describeSecretId(secretId: string): string {
  return secretId.length >= 16
    ? `SecretId ending in "${secretId.slice(-4)}", ${secretId.length} characters`
    : `SecretId of ${secretId.length} characters`;
}

/** host:port/database of a postgres:// URL: never its user or password. */
function describeDatabase(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}

/** What went wrong, in a few words: the error code and PostgreSQL's message (no credentials in either). */
function describeFailure(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return [code, message].filter(Boolean).join(': ') || 'unknown error';
}

/** A cover the printed curl can send: the one dist/ ships, or the test fixture when run from src/. */
function sampleCover(): string {
  const candidates = [
    new URL('./sample-cover.jpg', import.meta.url),
    new URL('../test/fixtures/cover.jpg', import.meta.url),
  ];
  const found =
    candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path)) ?? fileURLToPath(candidates[0]!);
  return relative(process.cwd(), found);
}
