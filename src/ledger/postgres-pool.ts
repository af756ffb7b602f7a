import pg from 'pg';
import { within } from '../time/deadline.js';

/**
 * How long past the server's statement_timeout a query may go unanswered before the client gives
 * up on it. The server's timeout never sees a query lost on the way (a silent network); this does.
 */
const DEADLINE_MARGIN_MS = 1000;
/** Idle time before TCP keepalive probes a connection whose peer may be gone. */
const KEEPALIVE_DELAY_MS = 10_000;
/** How often the database is asked while it answers, and while it does not. */
const PING_EVERY_MS = { healthy: 2000, unhealthy: 250 } as const;

/** One query, within the pool's deadline. */
export type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

/** The ledger's connections to PostgreSQL, and whether it answers. */
export interface PostgresPool {
  readonly pool: pg.Pool;
  /** Every query goes through this: a deadline, and its outcome as the database's health. */
  query: Query;
  /** Whether the database answers (the latest query's outcome, see `createHealth`). */
  answering(): boolean;
  /** Calls `listener` each time the database answers again after it did not. */
  onAnsweringAgain(listener: () => void): void;
  end(): Promise<void>;
}

/**
 * A pool to `connectionString` in which no query can hang: each has a client-side deadline of the
 * statement timeout and 1 s (waiting for a connection included), the sockets keep TCP keepalive on,
 * and a ping follows the database while no upload comes.
 */
export function openPostgresPool(options: {
  connectionString: string;
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}): PostgresPool {
  const deadlineMs = options.statementTimeoutMs + DEADLINE_MARGIN_MS;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    // The client's own deadline. A query still unanswered then fails, and the pool ends its client,
    // which pg does by destroying the socket of a client whose query is still active: a connection
    // that lost a query is out of step with the server and is never handed out again.
    query_timeout: deadlineMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    application_name: 'vod-cover-gateway',
  });
  const health = createHealth();
  // An idle connection that breaks (the server restarted) is dropped by the pool; without a listener
  // its error would end the process.
  pool.on('error', () => health.failed(Date.now()));
  const query: Query = async (text, values) => {
    const startedAt = Date.now();
    try {
      const result = await within(pool.query(text, values), deadlineMs, () =>
        Object.assign(new Error(`PostgreSQL did not answer within ${deadlineMs} ms`), { code: 'LEDGER_DEADLINE' }),
      );
      health.answered();
      return result as never;
    } catch (error) {
      if (isConnectionError(error)) health.failed(startedAt);
      throw error;
    }
  };
  // Ask while no upload comes, so that /ready follows the database: every 2 s while it answers,
  // every 250 ms (two at most at once, each on its own deadline) while it does not, so that it is
  // found back within a moment of answering again.
  let pings = 0;
  let lastPingAt = 0;
  const ping = setInterval(() => {
    if (pings >= 2 || Date.now() - lastPingAt < (health.ok() ? PING_EVERY_MS.healthy : PING_EVERY_MS.unhealthy)) return;
    pings++;
    lastPingAt = Date.now();
    void query('SELECT 1')
      .catch(() => undefined)
      .finally(() => pings--);
  }, PING_EVERY_MS.unhealthy);
  ping.unref();
  return {
    pool,
    query,
    answering: () => health.ok(),
    onAnsweringAgain: (listener) => health.onRecovered(listener),
    async end() {
      clearInterval(ping);
      await pool.end();
    },
  };
}

/**
 * Whether the database answers: the outcome of the latest query, except that a query that started
 * before the latest answer and fails later (lost in a silence that has ended) says nothing new.
 */
function createHealth(): {
  ok(): boolean;
  answered(): void;
  failed(startedAt: number): void;
  onRecovered(listener: () => void): void;
} {
  let healthy = true;
  let lastAnswerAt = 0;
  const listeners: (() => void)[] = [];
  return {
    ok: () => healthy,
    answered() {
      lastAnswerAt = Date.now();
      if (healthy) return;
      healthy = true;
      for (const listener of listeners) listener();
    },
    failed(startedAt) {
      if (startedAt >= lastAnswerAt) healthy = false;
    },
    onRecovered: (listener) => void listeners.push(listener),
  };
}

/** Errors that say the database is not answering (as opposed to a bad statement). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  // Node's socket errors, and PostgreSQL's connection exceptions (08…), shutdown (57P…) and timeouts.
  return (
    /^E[A-Z]+$/.test(code) ||
    code.startsWith('08') ||
    code.startsWith('57P') ||
    code === '57014' ||
    code === 'LEDGER_DEADLINE'
  );
}
