/** Stand-in for observability/logger.ts: no logger, so no log line. */
import type { Logger } from '../../src/observability/logger.js';

export function createLogger(): Logger | undefined {
  return undefined;
}

/** Never called: without a logger the gateway gives Yoga its own console logger. */
export function yogaLoggerOf(): never {
  throw new Error('bench without the log line: no logger to give Yoga');
}
