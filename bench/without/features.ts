/**
 * The gateway's features the cost table switches off one at a time: for each, the src/ modules a
 * bench-only build of the gateway loads a stand-in for (stand-ins in this folder, by file name).
 * A stand-in keeps the module's exports and does nothing, or the cheapest thing that still gives
 * a correct answer: the uploads stay successes, so the bench's correctness gate still passes.
 */
export const FEATURES = {
  ledger: { title: 'the ledger (SQLite on disk)', replaces: { 'ledger/sqlite-cover-store.js': 'ledger.js' } },
  log: { title: 'the log line (pino, JSON to a pipe)', replaces: { 'observability/logger.js': 'logger.js' } },
  metrics: { title: 'metrics (prom-client)', replaces: { 'observability/metrics.js': 'metrics.js' } },
  armor: {
    title: 'graphql-armor (depth, aliases, directives, tokens, cost)',
    replaces: { 'plugins/use-operation-limits.js': 'operation-limits.js' },
  },
  'vod-client': {
    title: "the VOD client (against the peers' minimal one)",
    replaces: { 'vod/legacy/client.js': 'vod-client.js' },
  },
  'multipart-guard': { title: 'the multipart guard', replaces: { 'http/multipart-guard.js': 'multipart-guard.js' } },
  'single-flight': { title: 'single-flight', replaces: { 'upload/single-flight.js': 'single-flight.js' } },
  'buffer-pool': { title: 'the buffer pool', replaces: { 'upload/buffer-pool.js': 'buffer-pool.js' } },
  'request-id': { title: 'request ids', replaces: { 'plugins/use-request-id.js': 'request-id.js' } },
  cors: { title: 'the CORS callback', replaces: { 'http/cors.js': 'cors.js' } },
  deadlines: {
    title: 'abort signals and timers (upload and VOD deadlines)',
    replaces: { 'time/deadline.js': 'deadline.js' },
  },
} as const satisfies Record<string, { title: string; replaces: Record<string, string> }>;

export type Feature = keyof typeof FEATURES;
