import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import type { YogaLogger } from 'graphql-yoga';
import pino, { type Logger } from 'pino';
import { requestContext } from './request-context.js';
import { isSpanContextValid, trace } from '@opentelemetry/api';

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
    // The request a line is written for, whoever writes it (a line's own requestId wins), and
    // with tracing on the trace it belongs to.
    mixin: () => {
      const requestId = requestContext.getStore()?.requestId;
      const span = trace.getActiveSpan()?.spanContext();
      return {
        ...(requestId === undefined ? {} : { requestId }),
        ...(span && isSpanContextValid(span) ? { traceId: span.traceId } : {}),
      };
    },
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

/**
 * Yoga's logger writing through `logger`, so that Yoga's own lines (its errors, its debug lines)
 * are pino JSON like every other: an Error argument becomes `err`, the rest the message.
 */
export function yogaLoggerOf(logger: Logger): YogaLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]): void => {
      if (!logger.isLevelEnabled(level)) return;
      const values = args.map((arg) => (typeof arg === 'function' ? (arg as () => unknown)() : arg));
      const err = values.find((value) => value instanceof Error);
      const text = values
        .filter((value) => !(value instanceof Error))
        .map((value) => (typeof value === 'string' ? value : inspect(value, { depth: 3, breakLength: Infinity })))
        .join(' ');
      logger[level]({ source: 'yoga', ...(err ? { err } : {}) }, text || (err as Error | undefined)?.message || '');
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
