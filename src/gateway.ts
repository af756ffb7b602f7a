import type { Server } from 'node:http';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createCoverUploads, type CoverUploadsOptions } from './cover-uploads.js';
import { useGraphiqlAssets } from './graphiql/assets.js';
import { graphiqlByDefault, graphiqlOptions } from './graphiql/defaults.js';
import { corsFor } from './http/cors.js';
import { DEFAULT_CSRF_HEADERS } from './http/csrf.js';
import { createOperatorRoutes, hideOperatorRoutes } from './http/operator-routes.js';
import { readinessChecks } from './http/readiness.js';
import { createServers } from './http/servers.js';
import type { RetryingCoverStore } from './ledger/retrying-cover-store.js';
import { createLogger, yogaLoggerOf } from './observability/logger.js';
import { inRequestContext } from './observability/request-context.js';
import type { GatewayMetrics } from './observability/metrics.js';
import { serverPlugins } from './plugins/gateway-plugins.js';
import { introspectionByDefault } from './plugins/use-operation-limits.js';
import type { GatewayContext } from './schema/context.js';

/**
 * Options of {@link createGateway}: the cover uploads' own ({@link CoverUploadsOptions}: VOD, ledger,
 * limits, metadata, fitting, authentication, logger) and the server's.
 */
export interface GatewayOptions extends CoverUploadsOptions {
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
   * Yoga's own log lines: through `logger` (pino JSON, with the request's id), Yoga's console
   * logger when `logger` is false, or `false` for none.
   * @default true
   */
  logging?: boolean;
  /**
   * Answer introspection queries (`__schema`, `__type`). Federation's `_service` is not
   * introspection and is always answered.
   * @default process.env.NODE_ENV !== 'production'
   */
  introspection?: boolean;
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
  // The gateway's logger is the cover uploads' too: one format on stdout.
  const logger = options.logger === false ? undefined : (options.logger ?? createLogger());
  const covers = createCoverUploads({ ...options, csrfHeaders, logger: logger ?? false });
  const { ledger, metrics } = covers;

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: covers.schema({ subgraph: true }),
    graphqlEndpoint,
    cors: corsFor(corsOrigins, csrfHeaders),
    // Yoga's own multipart parser serves `yoga.fetch`; on node:http useStreamingUploads streams instead.
    multipart: true,
    ...graphiqlOptions(graphiql),
    landingPage: false,
    // Yoga answers any URL ending in its health path (`/graphql/health`) and has no switch; no URL
    // can end with a space, so this turns it off: /health is the operator route's, matched exactly.
    healthCheckEndpoint: ' ',
    // useBodyLimit bounds bodies instead: see there why Yoga's own limit does not fit.
    maxRequestBodySize: false,
    maskedErrors: true,
    // Yoga's own lines go through the same logger: one format on stdout.
    logging: options.logging === false ? false : logger ? yogaLoggerOf(logger) : true,
    plugins: [
      ...(graphiql ? [useGraphiqlAssets({ onError: covers.observer.routeFailed })] : []),
      ...covers.plugins,
      ...serverPlugins({
        corsOrigins,
        maxBodySize: options.maxBodySize,
        maxRepresentations: options.maxRepresentations,
        introspection: options.introspection ?? introspectionByDefault(),
      }),
      ...(options.plugins ?? []),
    ],
  });

  const operatorRoutes = createOperatorRoutes({
    registry: metrics.registry,
    readiness: readinessChecks(ledger, covers.vod, () => servers.accepting()),
  });
  const servers = createServers({
    // With an admin listener the operator's routes are answered there only.
    routes: [options.adminPort === undefined ? operatorRoutes : hideOperatorRoutes],
    fallback: inRequestContext((req, res) => void yoga.requestListener(req, res)),
    ...(options.adminPort === undefined ? {} : { admin: { port: options.adminPort, route: operatorRoutes } }),
    // The listeners' timeouts and the shutdown's waits are options of the gateway's own.
    timeouts: options,
    onError: covers.observer.routeFailed,
  });

  async function close(): Promise<void> {
    await servers.close();
    await covers.close();
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
