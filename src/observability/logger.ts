import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * pino level.
   * @default process.env.LOG_LEVEL ?? 'info'
   */
  level?: string;
  /**
   * Human-readable lines (pino-pretty, a development dependency) instead of JSON.
   * @default process.stdout.isTTY, when pino-pretty is installed
   */
  pretty?: boolean;
}

/**
 * The service's structured logger: JSON lines, or pretty ones on a terminal. Nothing secret is
 * ever passed to it; `redact` is a second line of defence for fields that could hold credentials.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = process.env['LOG_LEVEL'] ?? 'info', pretty = Boolean(process.stdout.isTTY) && hasPinoPretty() } =
    options;
  return pino({
    level,
    base: { service: 'vod-cover-gateway' },
    redact: {
      paths: ['secretKey', '*.secretKey', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  });
}

/** pino-pretty is a development dependency: a production install logs JSON even on a terminal. */
function hasPinoPretty(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
