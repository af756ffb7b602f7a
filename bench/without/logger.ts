/** Stand-in for observability/logger.ts: no logger, so no log line. */
import type { Logger } from '../../src/observability/logger.js';

export function createLogger(): Logger | undefined {
  return undefined;
}
