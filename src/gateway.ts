import type { Server } from 'node:http';
import type { CoverMetadata } from './image/cover-scan.js';
import { COVER_FIT_DEFAULTS, type CoverFitOptions } from './upload/cover-fit.js';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createUploadPolicy, type AuthorizeUpload } from './auth/upload-policy.js';
import { createGraphiqlAssets } from './graphiql/assets.js';
import { graphiqlByDefault, graphiqlOptions } from './graphiql/defaults.js';
import { corsFor } from './http/cors.js';
import { DEFAULT_CSRF_HEADERS } from './http/csrf.js';
import { createOperatorRoutes, hideOperatorRoutes } from './http/operator-routes.js';
import { readinessChecks } from './http/readiness.js';
import { createServers } from './http/servers.js';
import { createCoverLoader } from './ledger/cover-loader.js';
import type { CoverStore } from './ledger/cover-store.js';
import { openLedger } from './ledger/open-ledger.js';
import type { RetryingCoverStore } from './ledger/retrying-cover-store.js';
import { multipartOverhead } from './multipart/multipart-limits.js';
import { createLogger, yogaLoggerOf, type Logger } from './observability/logger.js';
import { inRequestContext } from './observability/request-context.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import { createUploadObserver } from './observability/upload-observer.js';
import { gatewayPlugins } from './plugins/gateway-plugins.js';
import { introspectionByDefault } from './plugins/use-operation-limits.js';
import type { AuthenticationOptions } from './auth/use-authentication.js';
import type { GatewayContext } from './schema/context.js';
import { createSchema } from './schema/index.js';
import { createCoverUploader, UPLOAD_DEFAULTS } from './upload/upload-cover.js';
import { coverTypesOf, openVodClient, type VodApi, type VodOption } from './vod/vod-api.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /**
   * A VOD client, or the options to make one (the gateway then owns and closes it): the legacy
   * client's, or with `vodApi: 'v3'` the API 3.0 client's (`subAppId`, no path or signature method).
   */
  vod: VodOption;
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
   * `strip`: a cover's EXIF (GPS included), XMP, IPTC and comments are removed as its bytes
   * arrive, its ICC profile and orientation kept, its pixels untouched; `keep`: VOD gets the bytes
   * exactly as received.
   * @default 'strip'
   */
  coverMetadata?: CoverMetadata;
  /**
   * Most pixels (width × height) a cover may declare, checked from its header in every mode.
   * @default 40000000
   */
  maxPixels?: number;
  /**
   * Fit photos too large, too big or of a type VOD does not take into a cover it does (JPEG, or
   * PNG for transparency; sharp must be installed): `true`, or fitting's options (its input size
   * bound, longest side, concurrency, deadline). `false` sends files as they are.
   * @default false
   */
  fit?: boolean | CoverFitOptions;
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
   * Yoga's own log lines: through `logger` (pino JSON, with the request's id), Yoga's console
   * logger when `logger` is false, or `false` for none.
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

export interface Gateway extends AsyncDisposable {
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
   * `await using gateway = createGateway(…)` calls it at the end of the block.
   */
  close(): Promise<void>;
}

/**
 * Builds the GraphQL gateway without listening: Yoga with the Pothos schema and the gateway's
 * plugins, the cover uploader, the ledger, and the node:http listeners. Each default is declared
 * by the part that owns it; this only joins the parts.
 *
 * @example
 * const gateway = createGateway({ vod: { secretId, secretKey } });
 * const url = await gateway.listen(4000);
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { graphqlEndpoint = '/graphql', corsOrigins = [], csrfHeaders = DEFAULT_CSRF_HEADERS } = options;
  const graphiql = options.graphiql ?? graphiqlByDefault();
  const maxUploadRequestSize = largestFileAccepted(options) + multipartOverhead(options.maxFieldSize);
  const metrics = createMetrics();
  const logger = options.logger === false ? undefined : (options.logger ?? createLogger());
  const observer = createUploadObserver(metrics, logger);
  const vod = openVodClient(options.vod, options.vodApi);
  const { ledger, close: closeLedger } = openLedger(options.ledger, {
    maxPending: options.ledgerMaxPending,
    retryDelayMs: options.ledgerRetryDelayMs,
    events: observer,
  });
  const covers = createCoverUploader({
    vod: vod.client,
    ledger,
    ...(ledger.claims ? { claims: ledger.claims } : {}),
    events: observer,
    maxFileSize: options.maxFileSize,
    coverMetadata: options.coverMetadata,
    maxPixels: options.maxPixels,
    fit: options.fit,
    maxRequestOverhead: multipartOverhead(options.maxFieldSize),
    fileExtensions: coverTypesOf(vod.api),
    uploadDeadlineMs: options.uploadDeadlineMs,
    maxConcurrentVodCalls: options.maxConcurrentVodCalls,
    vodQueueTimeoutMs: options.vodQueueTimeoutMs,
  });
  const uploadPolicy =
    options.auth?.jwt || options.authorizeUpload
      ? createUploadPolicy({
          requiredScope: options.uploadScope ?? undefined,
          authorizeUpload: options.authorizeUpload,
          onRuleError: observer.ruleFailed,
        })
      : undefined;

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: createSchema(covers.outcomes),
    graphqlEndpoint,
    context: () => ({ covers, coverLoader: createCoverLoader(ledger), ...(uploadPolicy ? { uploadPolicy } : {}) }),
    cors: corsFor(corsOrigins, csrfHeaders),
    // Yoga's own multipart parser serves `yoga.fetch`; on node:http useStreamingUploads streams instead.
    multipart: true,
    ...graphiqlOptions(graphiql, graphqlEndpoint),
    landingPage: false,
    // Yoga answers any URL ending in its health path (`/graphql/health`) and has no switch; no URL
    // can end with a space, so this turns it off: /health is the operator route's, matched exactly.
    healthCheckEndpoint: ' ',
    // useBodyLimit bounds bodies instead: see there why Yoga's own limit does not fit.
    maxRequestBodySize: false,
    maskedErrors: true,
    // Yoga's own lines go through the same logger: one format on stdout.
    logging: options.logging === false ? false : logger ? yogaLoggerOf(logger) : true,
    plugins: gatewayPlugins({
      ...options,
      corsOrigins,
      csrfHeaders,
      maxUploadRequestSize,
      introspection: options.introspection ?? introspectionByDefault(),
    }),
  });

  const operatorRoutes = createOperatorRoutes({
    registry: metrics.registry,
    readiness: readinessChecks(ledger, vod.client, () => servers.accepting()),
  });
  const servers = createServers({
    // With an admin listener the operator's routes are answered there only.
    routes: [
      options.adminPort === undefined ? operatorRoutes : hideOperatorRoutes,
      ...(graphiql ? [createGraphiqlAssets()] : []),
    ],
    fallback: inRequestContext((req, res) => void yoga.requestListener(req, res)),
    ...(options.adminPort === undefined ? {} : { admin: { port: options.adminPort, route: operatorRoutes } }),
    // The listeners' timeouts and the shutdown's waits are options of the gateway's own.
    timeouts: options,
    onError: observer.routeFailed,
  });

  async function close(): Promise<void> {
    await servers.close();
    covers.close();
    await vod.close();
    await closeLedger();
  }

  return {
    yoga,
    server: servers.server,
    ...(servers.adminServer ? { adminServer: servers.adminServer } : {}),
    ledger,
    metrics,
    listen: async (port = 0, host = '127.0.0.1') => `${await servers.listen(port, host)}${graphqlEndpoint}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The largest file an upload may carry: the cover bound, or with fitting on its input bound. */
function largestFileAccepted(options: Pick<GatewayOptions, 'maxFileSize' | 'fit'>): number {
  const maxFileSize = options.maxFileSize ?? UPLOAD_DEFAULTS.maxFileSize;
  if (!options.fit) return maxFileSize;
  const fit = options.fit === true ? {} : options.fit;
  return Math.max(maxFileSize, fit.maxInputFileSize ?? COVER_FIT_DEFAULTS.maxInputFileSize);
}
