import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createUploadPolicy, type AuthorizeUpload } from './auth/upload-policy.js';
import { useAuthentication, type AuthenticationOptions } from './auth/use-authentication.js';
import type { GatewayContext } from './schema/context.js';
import { DEFAULT_CSRF_HEADERS } from './http/csrf.js';
import { createGraphiqlAssets } from './graphiql/assets.js';
import { renderGraphiqlPage } from './graphiql/page.js';
import { drainable } from './http/drain.js';
import { sendJson } from './http/send-json.js';
import { markAwaitingContinue } from './http/expect-continue.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useHangUpOnUnreadBody } from './plugins/use-hang-up-on-unread-body.js';
import { useIdempotencyKey } from './plugins/use-idempotency-key.js';
import { useRequestId } from './plugins/use-request-id.js';
import { useRepresentationsLimit } from './plugins/use-representations-limit.js';
import { useStreamingUploads } from './plugins/use-streaming-uploads.js';
import { createSchema } from './schema/index.js';
import { createCoverUploader } from './upload/upload-cover.js';
import { createCoverLoader } from './ledger/cover-loader.js';
import type { CoverStore } from './ledger/cover-store.js';
import { withWriteRetries, type RetryingCoverStore } from './ledger/retrying-cover-store.js';
import { openSqliteCoverStore } from './ledger/sqlite-cover-store.js';
import { createOperatorRoutes, hideOperatorRoutes } from './http/operator-routes.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import type { UploadEvent } from './upload/upload-cover.js';
import type { Api3VodClientOptions } from './vod/api3/client.js';
import type { LegacyVodClientOptions } from './vod/legacy/client.js';
import {
  asVodClient,
  coverTypesOf,
  createClientFor,
  isClient,
  type SmallFileUploadClient,
  type VodApi,
} from './vod/vod-api.js';
import type { VodClient } from './vod/vod-client.js';
import { MAX_FILE_SIZE } from './vod/cover-rules.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /**
   * A VOD client, or the options to make one (the gateway then owns and closes it): the legacy
   * client's, or with `vodApi: 'v3'` the API 3.0 client's (`subAppId`, no path or signature method).
   */
  vod: VodClient | SmallFileUploadClient | LegacyVodClientOptions | Api3VodClientOptions;
  /**
   * Which VOD API covers go to: `legacy` (SmallFileUpload, the seed's protocol) or `v3` (API 3.0's
   * ModifyMediaInfo with CoverData; webp and bmp are then refused before the call).
   * @default 'legacy'
   */
  vodApi?: VodApi;
  /**
   * The cover ledger, or the SQLite file to keep it in (the gateway then owns and closes it). A
   * PostgreSQL ledger (`openPostgresCoverStore`) also gives replicas one VOD call per upload.
   * @default ':memory:' (nothing survives a restart; `npm start` uses DATA_DIR/covers.sqlite)
   */
  ledger?: CoverStore | string;
  /**
   * Most successful uploads held in memory while the ledger does not take writes (written again
   * with backoff); past it the oldest is logged whole at error level and given up.
   * @default 10000
   */
  ledgerMaxPending?: number;
  /**
   * First wait before a failed ledger write is tried again, in ms (doubled each time, up to 30 s).
   * @default 1000
   */
  ledgerRetryDelayMs?: number;
  /**
   * Who may call: bearer tokens (JWT: an HS256 secret or a JWKS URL, issuer, audience, clock
   * tolerance) and/or Hive Gateway's HMAC upstream signature. A request without what is configured
   * is refused (401 or 403) before its body is read.
   * @default undefined (anyone who reaches the port)
   */
  auth?: AuthenticationOptions;
  /**
   * Scope an authenticated caller's token must list to upload (`scope` claim), or `false`.
   * @default 'covers:write'
   */
  uploadScope?: string | false;
  /**
   * A per-video rule, `({ claims, videoFileId }) => boolean | Promise<boolean>`, run before the
   * file is read; `false` is the error member with reason FORBIDDEN (code -20007).
   * @default undefined (every video)
   */
  authorizeUpload?: AuthorizeUpload;
  /**
   * Origins (`https://app.example.com`) whose pages may call the gateway from a browser, with
   * credentials. Any other origin gets no CORS header at all.
   * @default [] (no cross-origin access)
   */
  corsOrigins?: readonly string[];
  /**
   * Serve `/metrics`, `/health` and `/ready` on a second listener on this port (same host), and
   * not on the public one. `listen()` starts both.
   * @default undefined (on the public port)
   */
  adminPort?: number;
  /**
   * Yoga and envelop plugins of your own (authentication, tracing, persisted operations, …), run
   * after the gateway's own. They see uploads exactly as they see any other operation.
   * @default []
   */
  plugins?: Array<Plugin | Plugin<GatewayContext & Record<string, unknown>>>;
  /**
   * Path GraphQL and GraphiQL are served on.
   * @default '/graphql'
   */
  graphqlEndpoint?: string;
  /**
   * Serve GraphiQL on GET `graphqlEndpoint` to browsers.
   * @default process.env.NODE_ENV !== 'production'
   */
  graphiql?: boolean;
  /**
   * Largest cover accepted, in bytes.
   * @default 1048576
   */
  maxFileSize?: number;
  /**
   * Largest `operations` or `map` field of a multipart request, in bytes.
   * @default 100000
   */
  maxFieldSize?: number;
  /**
   * Largest request body that is not multipart (JSON, GraphQL, form), in bytes; longer ones get 413.
   * @default 1048576
   */
  maxBodySize?: number;
  /**
   * Most federation `_entities` representations one request may ask for (a router's batches stay
   * well under it).
   * @default 2000
   */
  maxRepresentations?: number;
  /**
   * Headers, any one of which lets a non-preflighted request (multipart, form, text) in.
   * @default ['x-graphql-yoga-csrf', 'apollo-require-preflight']
   */
  csrfHeaders?: readonly string[];
  /**
   * Yoga's logging: `false` for none.
   * @default true
   */
  logging?: boolean;
  /**
   * The structured logger (one line per upload), or `false` for none.
   * @default createLogger(): LOG_LEVEL, pretty on a terminal
   */
  logger?: Logger | false;
  /**
   * Answer introspection queries (`__schema`, `__type`). Federation's `_service` is not
   * introspection and is always answered.
   * @default process.env.NODE_ENV !== 'production'
   */
  introspection?: boolean;
  /**
   * Longest time from the start of an upload to its last byte, in ms (slow senders are cut off
   * with UPLOAD_ABORTED, canRetry, and their connection closed).
   * @default 60000
   */
  uploadDeadlineMs?: number;
  /**
   * Most VOD calls in flight at once.
   * @default 64
   */
  maxConcurrentVodCalls?: number;
  /**
   * How long an upload may wait for a VOD call place before it gets VOD_UNAVAILABLE, in ms.
   * @default 2000
   */
  vodQueueTimeoutMs?: number;
  /**
   * Time a client has to send a request's headers, in ms (node:http `headersTimeout`).
   * @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open, in ms (node:http `keepAliveTimeout`). Above
   * the idle timeouts of the proxies in front (cloud load balancers 60 s, nginx upstream 60 s), so
   * that a proxy never sends a request on a connection the gateway is closing (a 502). Node's own
   * default is 5 s.
   * @default 65000
   */
  keepAliveTimeoutMs?: number;
  /**
   * Time a client has to send a whole request, in ms (node:http `requestTimeout`).
   * @default 120000
   */
  requestTimeoutMs?: number;
  /**
   * On `close()`, how long requests in flight may take to finish before connections are ended.
   * @default 10000
   */
  shutdownGraceMs?: number;
  /**
   * On `close()`, how long `/ready` answers 503 while everything is still served, before the
   * listener closes: time for a load balancer's health check to see the 503 and stop sending.
   * @default 0
   */
  shutdownDelayMs?: number;
}

export interface Gateway {
  /** The Yoga instance (use `yoga.fetch` to run operations without a socket). */
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The node:http server, not yet listening. */
  server: Server;
  /**
   * Starts listening, and the admin listener when `adminPort` is set; resolves with the GraphQL
   * URL. When the admin port cannot be listened on, the error has `listener: 'admin'`.
   */
  listen(port?: number, host?: string): Promise<string>;
  /** The admin listener (`adminPort`), not yet listening. */
  adminServer?: Server;
  /** The cover ledger in use (failed writes held and retried). */
  ledger: RetryingCoverStore;
  /** Prometheus metrics, served at `/metrics`. */
  metrics: GatewayMetrics;
  /**
   * Graceful shutdown: stops taking requests (503 on open connections), lets those in flight
   * finish within `shutdownGraceMs`, ends every connection, closes an owned VOD client and ledger.
   */
  close(): Promise<void>;
}

const DEFAULT_QUERY = `# Upload a cover: choose a file above (it goes to the \`file\` variable as a
# GraphQL multipart request), then run. \`query { uploadLimits { … } }\` says what is accepted.
mutation UploadVideoCover($fileId: ID!, $file: Upload!) {
  uploadVideoCover(fileId: $fileId, file: $file) {
    __typename
    ... on UploadVideoCoverSuccess { fileId url videoFileId sha1 size instant }
    ... on UploadVideoCoverError { code reason message canRetry }
  }
}
`;

const DEFAULT_VARIABLES = `{
  "fileId": "9031868222807461771",
  "file": null
}`;

/**
 * Builds the GraphQL gateway without listening: Yoga with the Pothos schema, CSRF prevention,
 * masked errors, and the streaming multipart layer in front.
 *
 * @example
 * const gateway = createGateway({ vod: { secretId, secretKey } });
 * const url = await gateway.listen(4000);
 */
export function createGateway(options: GatewayOptions): Gateway {
  const {
    graphqlEndpoint = '/graphql',
    graphiql = process.env['NODE_ENV'] !== 'production',
    corsOrigins = [],
    maxFileSize = MAX_FILE_SIZE,
    maxFieldSize = 100_000,
    maxBodySize = 1_048_576,
    maxRepresentations = 2000,
    csrfHeaders = DEFAULT_CSRF_HEADERS,
    logging = true,
    uploadDeadlineMs = 60_000,
    maxConcurrentVodCalls = 64,
    vodQueueTimeoutMs = 2000,
    headersTimeoutMs = 10_000,
    requestTimeoutMs = 120_000,
    keepAliveTimeoutMs = 65_000,
    shutdownGraceMs = 10_000,
    shutdownDelayMs = 0,
    ledgerMaxPending = 10_000,
    ledgerRetryDelayMs = 1000,
    introspection = process.env['NODE_ENV'] !== 'production',
  } = options;
  const vodApi = options.vodApi ?? 'legacy';
  const ownsVod = !isClient(options.vod);
  const vod = isClient(options.vod) ? asVodClient(options.vod) : createClientFor(vodApi, options.vod);
  // What a multipart request holds besides the file: two fields and headers and boundaries.
  const maxRequestOverhead = 2 * maxFieldSize + 64 * 1024;
  const maxUploadRequestSize = maxFileSize + maxRequestOverhead;
  const ownsLedger = typeof options.ledger !== 'object';
  const store =
    typeof options.ledger === 'object' ? options.ledger : openSqliteCoverStore(options.ledger ?? ':memory:');
  const metrics = createMetrics();
  const logger = options.logger === false ? undefined : (options.logger ?? createLogger());
  const ledger = withWriteRetries(store, {
    maxPending: ledgerMaxPending,
    retryDelayMs: ledgerRetryDelayMs,
    onPendingChange: (pending) => metrics.ledgerPending.set(pending),
    onWriteFailed: (error, pending) => {
      metrics.ledgerWriteFailures.inc();
      logger?.error(
        { err: error, pending },
        'cover ledger: a write failed; the record is held and written again (see /ready)',
      );
    },
    onRecovered: (written) => {
      logger?.warn({ written }, 'cover ledger: writes work again; every held record is written');
    },
    onDropped: (record) => {
      metrics.ledgerDropped.inc();
      logger?.error(
        { record },
        'cover ledger: a record could not be written and is given up; replay it from this line',
      );
    },
  });
  const covers = createCoverUploader({
    vod,
    ledger,
    ...(ledger.claims ? { claims: ledger.claims } : {}),
    onClaimError: (error) =>
      logger?.error(
        { err: error },
        'cover ledger: the shared single-flight cannot be reached; the upload is refused with canRetry',
      ),
    onUploadStart: () => metrics.uploadsInFlight.inc(),
    onUploadDone: (event) => {
      metrics.uploadsInFlight.dec();
      observeUpload(metrics, logger, event);
    },
    onVodCall: (call) => {
      metrics.vodCallDuration.observe({ result: call.result }, call.durationMs / 1000);
      if (call.attempts > 1) metrics.vodRetries.inc(call.attempts - 1);
    },
    onJoin: () => metrics.singleFlightJoins.inc(),
    maxFileSize,
    maxRequestOverhead,
    fileExtensions: coverTypesOf(vodApi),
    uploadDeadlineMs,
    maxConcurrentVodCalls,
    vodQueueTimeoutMs,
  });

  const uploadPolicy =
    options.auth?.jwt || options.authorizeUpload
      ? createUploadPolicy({
          requiredScope: options.uploadScope ?? undefined,
          authorizeUpload: options.authorizeUpload,
          onRuleError: (error) =>
            logger?.error({ err: error }, 'authorizeUpload threw; the upload is refused with canRetry'),
        })
      : undefined;

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: createSchema(covers.outcomes),
    graphqlEndpoint,
    context: () => ({ covers, coverLoader: createCoverLoader(ledger), ...(uploadPolicy ? { uploadPolicy } : {}) }),
    // Only the listed origins get CORS headers (credentials allowed); any other, none at all.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (origin === null || !corsOrigins.includes(origin)) return false;
      return {
        origin,
        credentials: true,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', ...csrfHeaders],
        maxAge: 600,
      };
    },
    // Yoga's own multipart parser serves `yoga.fetch`; on node:http useStreamingUploads streams instead.
    multipart: true,
    graphiql: graphiql
      ? { title: 'vod-cover-gateway', defaultQuery: DEFAULT_QUERY, defaultEditorToolsVisibility: 'variables' }
      : false,
    renderGraphiQL: () =>
      renderGraphiqlPage({
        title: 'vod-cover-gateway',
        endpoint: graphqlEndpoint,
        query: DEFAULT_QUERY,
        variables: DEFAULT_VARIABLES,
      }),
    landingPage: false,
    // Yoga answers any URL that ends with its health path (`//health`, `/graphql/health`), even
    // under ADMIN_PORT; it has no switch. No request URL can end with a space (HTTP forbids one in
    // the target), so this turns it off: /health is the operator route's, matched exactly.
    healthCheckEndpoint: ' ',
    // useBodyLimit bounds bodies instead: see there why Yoga's own limit does not fit.
    maxRequestBodySize: false,
    maskedErrors: true,
    logging,
    plugins: [
      useHangUpOnUnreadBody(),
      useRequestId(),
      // Next: a refusal comes before anything reads the body.
      ...(options.auth?.jwt || options.auth?.routerSignatureSecret ? [useAuthentication(options.auth)] : []),
      // The answer differs by Origin when some origins are allowed: caches must know.
      ...(corsOrigins.length > 0 ? [varyByOrigin] : []),
      useCSRFPrevention({ requestHeaders: [...csrfHeaders] }),
      useBodyLimit({ maxBodySize, maxMultipartSize: maxUploadRequestSize }),
      useIdempotencyKey(),
      useStreamingUploads({ maxFieldSize, maxRequestSize: maxUploadRequestSize, maxFiles: 1 }),
      useRepresentationsLimit(maxRepresentations),
      // Limits on what one operation may ask (each refusal is a GraphQL error, before execution).
      EnvelopArmorPlugin({
        maxDepth: { n: 10 },
        maxAliases: { n: 15 },
        maxDirectives: { n: 50 },
        maxTokens: { n: 2000 },
        costLimit: { maxCost: 5000 },
        blockFieldSuggestion: { enabled: !introspection },
      }),
      ...(introspection ? [] : [useDisableIntrospection()]),
      ...(options.plugins ?? []),
    ],
  });

  let closing = false;
  // Readiness: the ledger takes writes, VOD's host answers (checked at most every 5 s), not draining.
  let vodReachable: { at: number; ok: Promise<boolean> } | undefined;
  const operatorRoutes = createOperatorRoutes({
    registry: metrics.registry,
    readiness: {
      ledger: () => ledger.isWritable(),
      vod: () => {
        if (!vod.reachable) return true;
        if (!vodReachable || Date.now() - vodReachable.at > 5000)
          vodReachable = { at: Date.now(), ok: vod.reachable(1000) };
        return vodReachable.ok;
      },
      accepting: () => !closing && !shutdown.draining(),
    },
  });
  const graphiqlAssets = graphiql ? createGraphiqlAssets() : () => false;
  // With an admin listener they are answered there only.
  const publicOperatorRoutes = options.adminPort === undefined ? operatorRoutes : hideOperatorRoutes;
  const shutdown = drainable((req, res) => {
    try {
      if (publicOperatorRoutes(req, res) || graphiqlAssets(req, res)) return;
      void yoga.requestListener(req, res);
    } catch (error) {
      // A bug of ours in a route outside Yoga: one 500 and a log line, not the whole process.
      if (logger) logger.error({ err: error, url: req.url }, 'request: unexpected error');
      else console.error(error);
      sendJson(res, 500, JSON.stringify({ errors: [{ message: 'Unexpected error.' }] }));
    }
  });
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      // Node checks those timeouts on this tick (30 s by default: a slowloris would get 30 s).
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    },
    shutdown.handler,
  );
  // A client that waits for `100 Continue` gets it only once its request passed the checks that need no body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    markAwaitingContinue(req);
    shutdown.handler(req, res);
  });

  const adminServer =
    options.adminPort === undefined
      ? undefined
      : createServer(
          { headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, keepAliveTimeout: keepAliveTimeoutMs },
          (req, res) => {
            if (!operatorRoutes(req, res)) sendJson(res, 404, JSON.stringify({ error: 'not found' }));
          },
        );

  return {
    yoga,
    server,
    ...(adminServer ? { adminServer } : {}),
    ledger,
    metrics,
    async listen(port = 0, host = '127.0.0.1') {
      const url = `${await listenOn(server, port, host)}${graphqlEndpoint}`;
      if (adminServer) {
        await listenOn(adminServer, options.adminPort!, host).catch((error: Error) => {
          server.close();
          throw Object.assign(error, { listener: 'admin' });
        });
      }
      return url;
    },
    async close() {
      closing = true;
      if (server.listening && shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, shutdownDelayMs));
      if (server.listening) await shutdown.drain(server, shutdownGraceMs);
      if (adminServer?.listening) {
        await new Promise((resolve) => {
          adminServer.close(resolve);
          adminServer.closeAllConnections();
        });
      }
      if (ownsVod) await vod.close();
      await ledger.stop();
      if (ownsLedger) await store.close();
    },
  };
}

/** Listens; resolves with the base URL (`http://host:port`, `localhost` for a wildcard address). */
function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown === '0.0.0.0' || shown === '[::]' ? 'localhost' : shown}:${address.port}`);
    });
  });
}

/** `Vary: Origin` on every answer: with allowed origins, CORS headers depend on the request's Origin. */
const varyByOrigin: Plugin = {
  onResponse({ response }) {
    response.headers.append('vary', 'Origin');
  },
};

/** One log line and the counters of an answered upload. */
function observeUpload(metrics: GatewayMetrics, logger: Logger | undefined, event: UploadEvent): void {
  const { result } = event;
  const reason = result.ok ? 'none' : result.reason;
  metrics.uploads.inc({ outcome: result.ok ? 'success' : 'error', reason });
  metrics.bytesReceived.inc(event.bytesRead);
  if (event.size !== undefined) metrics.uploadSize.observe(event.size);
  logger?.info(
    {
      requestId: event.requestId,
      videoFileId: event.videoFileId,
      size: event.size ?? event.bytesRead,
      sha1: event.sha1,
      outcome: result.ok ? 'success' : 'error',
      reason: result.ok ? undefined : result.reason,
      vodCode: result.ok ? (result.instant ? 2 : 0) : result.code,
      instant: result.ok ? result.instant : undefined,
      attempts: result.attempts ?? 0,
      durationMs: Math.round(event.durationMs * 10) / 10,
    },
    'upload',
  );
}
