import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type AuthorizeUpload, createUploadPolicy, type UploadPolicy } from './auth/upload-policy.js';
import { type AuthenticationOptions, useAuthentication } from './auth/use-authentication.js';
import { DEFAULT_CSRF_HEADERS, useCsrfHeaders } from './http/csrf.js';
import type { CoverMetadata } from './image/cover-scan.js';
import type { CoverStore } from './ledger/cover-store.js';
import { openLedger } from './ledger/open-ledger.js';
import type { RetryingCoverStore } from './ledger/retrying-cover-store.js';
import { multipartOverhead } from './multipart/multipart-limits.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import { createUploadObserver, type UploadObserver } from './observability/upload-observer.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import {
  type CoverContext,
  type CoverContextParts,
  coverContext,
  useCoverContext,
} from './plugins/use-cover-context.js';
import { useHangUpOnUnreadBody } from './plugins/use-hang-up-on-unread-body.js';
import { useIdempotencyKey } from './plugins/use-idempotency-key.js';
import { useRequestId } from './plugins/use-request-id.js';
import { useStreamingUploads } from './plugins/use-streaming-uploads.js';
import { createSchema } from './schema/index.js';
import { type ResolverMap, schemaParts } from './schema/schema-parts.js';
import { COVER_FIT_DEFAULTS, type CoverFitOptions } from './upload/cover-fit.js';
import type { Outcomes } from './upload/outcomes.js';
import { type CoverUploader, createCoverUploader, UPLOAD_DEFAULTS } from './upload/upload-cover.js';
import { createVodCallBudget, type VodCallBudget } from './vod/call-budget.js';
import { coverTypesOf, isClient, openVodClient, type VodApi, type VodOption } from './vod/vod-api.js';
import type { VodClient } from './vod/vod-client.js';

/**
 * Options of {@link createCoverUploads}: where covers go and what is accepted, none of a server's
 * (ports, CORS, GraphiQL, timeouts: those are `createGateway`'s, or the host's).
 */
export interface CoverUploadsOptions {
  /**
   * A VOD client, or the options to make one (then owned and closed by `close()`): the API 3.0
   * client's, or with `vodApi: 'legacy'` the legacy client's (`path`, `signatureMethod`).
   */
  vod: VodOption;
  /**
   * Which VOD API covers go to: `v3` (API 3.0's ModifyMediaInfo with CoverData; webp and bmp are
   * then refused before the call) or `legacy` (SmallFileUpload, which the vendor took offline).
   * @default 'v3'
   */
  vodApi?: VodApi;
  /**
   * The cover ledger, or the SQLite file to keep it in (then owned and closed). A PostgreSQL
   * ledger (`openPostgresCoverStore`) also gives replicas one VOD call per upload.
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
   * @default undefined (anyone who reaches the server)
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
   * Largest cover accepted, in bytes.
   * @default 1048576
   */
  maxFileSize?: number;
  /**
   * `strip`: only what decoding needs is kept as a cover's bytes arrive (EXIF with GPS, XMP, IPTC,
   * comments, thumbnails removed; its ICC profile and orientation kept), its pixels untouched;
   * `keep`: VOD gets the bytes exactly as received.
   * @default 'strip'
   */
  coverMetadata?: CoverMetadata;
  /**
   * Most pixels (width × height) a cover, any of its frames or pages may declare, checked from its
   * header in every mode.
   * @default 40000000
   */
  maxPixels?: number;
  /**
   * Fit photos too large, too big or of a type VOD does not take into a cover it does (JPEG, or
   * PNG for transparency; sharp must be installed): `true`, or fitting's options (its input size
   * bound, longest side, concurrency, deadline, memory). `false` sends files as they are.
   * @default false
   */
  fit?: boolean | CoverFitOptions;
  /**
   * Largest `operations` or `map` field of a multipart request, in bytes.
   * @default 100000
   */
  maxFieldSize?: number;
  /**
   * Headers, any one of which lets a non-preflighted request (multipart, form, text) in; one
   * without is refused 403 before its body is read.
   * @default ['x-graphql-yoga-csrf', 'apollo-require-preflight']
   */
  csrfHeaders?: readonly string[];
  /**
   * The structured logger (one line per upload), or `false` for none.
   * @default createLogger(): LOG_LEVEL, pretty on a terminal
   */
  logger?: Logger | false;
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
   * Most VOD calls per second, for the account (ModifyMediaInfo allows 100 by default): every call,
   * retries included, waits its turn in arrival order within its deadline. Replicas whose ledger is
   * one PostgreSQL database keep it together. `false`: calls go as they come.
   * @default 100
   */
  vodRateLimit?: number | false;
  /**
   * Most uploads of this replica waiting their turn of `vodRateLimit` at once; past it an upload
   * gets VOD_UNAVAILABLE (canRetry) before its file is read.
   * @default 1000
   */
  vodRateQueue?: number;
}

/** VOD's own rate for ModifyMediaInfo: 100 calls per second per account. */
export const DEFAULT_VOD_RATE_LIMIT = 100;

/** Cover uploads for a GraphQL server of the caller's: see {@link createCoverUploads}. */
export interface CoverUploads extends AsyncDisposable {
  /** The SDL of the cover types and fields (`Mutation.uploadVideoCover`, `Query.videoCover`, `Query.uploadLimits`, …). */
  readonly typeDefs: string;
  /** Their resolvers, in graphql-tools' shape (the `Upload` and `DateTime` scalars included). */
  readonly resolvers: ResolverMap;
  /**
   * Yoga plugins, in order: the request id, authentication (when `auth` is set), CSRF prevention,
   * the multipart bound, Idempotency-Key, streaming multipart uploads, and the context the
   * resolvers read. Put them before the host's own.
   */
  readonly plugins: readonly Plugin[];
  /**
   * The context the resolvers read, for one request, for a server without Yoga plugins (Apollo
   * Server's `context`): merge it into the host's.
   */
  context(): CoverContext;
  /** The gateway's own schema with these limits: a Federation v2 subgraph, or a plain schema. */
  schema(options?: { subgraph?: boolean }): GraphQLSchema;
  /** The outcome vocabulary with the configured limits (what `uploadLimits` answers). */
  readonly outcomes: Outcomes;
  /** The cover ledger in use (failed writes held and retried). */
  readonly ledger: RetryingCoverStore;
  /** Prometheus metrics (serve `metrics.registry` where the host serves its own). */
  readonly metrics: GatewayMetrics;
  /** The VOD client covers go to, and its API. */
  readonly vod: VodClient;
  readonly vodApi: VodApi;
  /** What the uploads tell (log lines, metrics): for a server that adds its own routes. */
  readonly observer: UploadObserver;
  /** Longest multipart request that can hold a valid upload, in bytes. */
  readonly maxUploadRequestSize: number;
  /** Ends the fit processes, closes an owned VOD client and ledger. */
  close(): Promise<void>;
}

/**
 * Cover uploads inside a GraphQL server of the caller's: the `uploadVideoCover` mutation and the
 * cover queries as type definitions and resolvers, and the Yoga plugins that stream, bound and
 * guard uploads. `createGateway` is built on it.
 *
 * @example
 * const covers = createCoverUploads({ vod: { secretId, secretKey } });
 * const yoga = createYoga({
 *   schema: createSchema({ typeDefs: [own, covers.typeDefs], resolvers: [ownResolvers, covers.resolvers] }),
 *   plugins: [...covers.plugins],
 * });
 */
export function createCoverUploads(options: CoverUploadsOptions): CoverUploads {
  const metrics = createMetrics();
  const logger = options.logger === false ? undefined : (options.logger ?? createLogger());
  const observer = createUploadObserver(metrics, logger);
  const { ledger, close: closeLedger } = openLedger(options.ledger, {
    maxPending: options.ledgerMaxPending,
    retryDelayMs: options.ledgerRetryDelayMs,
    events: observer,
  });
  const budget = callBudgetOf(options, ledger);
  if (budget) metrics.countCallsWith(budget.callsInLastSecond);
  const vod = openVodClient(options.vod, options.vodApi, budget);
  const covers = coverUploader(options, { vod, ledger, observer, budget });
  const maxUploadRequestSize = largestFileAccepted(options) + multipartOverhead(options.maxFieldSize);
  const context: CoverContextParts = { covers, ledger, uploadPolicy: uploadPolicyOf(options, observer) };
  let parts: ReturnType<typeof schemaParts> | undefined;
  const partsOnce = () => (parts ??= schemaParts(createSchema(covers.outcomes, { subgraph: false })));

  async function close(): Promise<void> {
    covers.close();
    await vod.close();
    await closeLedger();
  }

  return {
    get typeDefs() {
      return partsOnce().typeDefs;
    },
    get resolvers() {
      return partsOnce().resolvers;
    },
    plugins: coverUploadPlugins(options, context, maxUploadRequestSize),
    context: () => coverContext(context),
    schema: (schemaOptions) => createSchema(covers.outcomes, schemaOptions),
    outcomes: covers.outcomes,
    ledger,
    metrics,
    vod: vod.client,
    vodApi: vod.api,
    observer,
    maxUploadRequestSize,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The upload path, over the VOD client, the ledger and the observer opened for it. */
function coverUploader(
  options: CoverUploadsOptions,
  opened: {
    vod: ReturnType<typeof openVodClient>;
    ledger: RetryingCoverStore;
    observer: UploadObserver;
    budget: VodCallBudget | undefined;
  },
): CoverUploader {
  const { vod, ledger, observer, budget } = opened;
  return createCoverUploader({
    budget,
    // A call waits its turn no longer than its own deadline.
    vodDeadlineMs: isClient(options.vod) ? undefined : options.vod.retry?.deadlineMs,
    vod: vod.client,
    ledger,
    ...(ledger.claims ? { claims: ledger.claims } : {}),
    events: observer,
    maxFileSize: options.maxFileSize,
    coverMetadata: options.coverMetadata,
    maxPixels: options.maxPixels,
    fit: options.fit,
    fileExtensions: coverTypesOf(vod.api),
    uploadDeadlineMs: options.uploadDeadlineMs,
    maxConcurrentVodCalls: options.maxConcurrentVodCalls,
    vodQueueTimeoutMs: options.vodQueueTimeoutMs,
  });
}

/**
 * The account's VOD call rate, unless turned off: kept in the ledger's PostgreSQL database when
 * replicas share it (its `callSlots`), else in this process.
 */
function callBudgetOf(options: CoverUploadsOptions, ledger: RetryingCoverStore): VodCallBudget | undefined {
  const { vodRateLimit = DEFAULT_VOD_RATE_LIMIT, vodRateQueue } = options;
  if (vodRateLimit === false) return undefined;
  return createVodCallBudget({ callsPerSecond: vodRateLimit, maxWaiting: vodRateQueue, slots: ledger.callSlots });
}

/** Who may upload to which video: only when tokens or a per-video rule are configured. */
function uploadPolicyOf(options: CoverUploadsOptions, observer: UploadObserver): UploadPolicy | undefined {
  if (!options.auth?.jwt && !options.authorizeUpload) return undefined;
  return createUploadPolicy({
    requiredScope: options.uploadScope ?? undefined,
    authorizeUpload: options.authorizeUpload,
    onRuleError: observer.ruleFailed,
  });
}

/** The Yoga plugins, in the order `CoverUploads.plugins` documents. */
function coverUploadPlugins(
  options: CoverUploadsOptions,
  context: CoverContextParts,
  maxUploadRequestSize: number,
): Plugin[] {
  return [
    useHangUpOnUnreadBody(),
    useRequestId(),
    ...(options.auth?.jwt || options.auth?.routerSignatureSecret ? [useAuthentication(options.auth)] : []),
    useCsrfHeaders(options.csrfHeaders ?? DEFAULT_CSRF_HEADERS),
    // Multipart bodies Yoga's own parser reads whole (yoga.fetch, other runtimes); a host's JSON is its own.
    useBodyLimit({ maxBodySize: false, maxMultipartSize: maxUploadRequestSize }),
    useIdempotencyKey(),
    useStreamingUploads({ maxFieldSize: options.maxFieldSize, maxRequestSize: maxUploadRequestSize }),
    // Yoga's Plugin is invariant in its context: a plugin that adds to it is one of the list's.
    useCoverContext(context) as unknown as Plugin,
  ];
}

/** The largest file an upload may carry: the cover bound, or with fitting on its input bound. */
function largestFileAccepted(options: Pick<CoverUploadsOptions, 'maxFileSize' | 'fit'>): number {
  const maxFileSize = options.maxFileSize ?? UPLOAD_DEFAULTS.maxFileSize;
  if (!options.fit) return maxFileSize;
  const fit = options.fit === true ? {} : options.fit;
  return Math.max(maxFileSize, fit.maxInputFileSize ?? COVER_FIT_DEFAULTS.maxInputFileSize);
}
