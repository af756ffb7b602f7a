/**
 * How a variable's text becomes a value: each reader checks it and throws a ConfigError that
 * names the variable (and never quotes a secret).
 */
import { MAX_CLOCK_TOLERANCE_SECONDS, MIN_SECRET_BYTES } from './auth/jwt-verifier.js';
import { keySetUrlProblem } from './auth/key-set-fetch.js';
import { vodBaseUrlProblem } from './vod/base-url.js';

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads one variable's (non-empty) value, or throws a ConfigError naming the variable. */
export type Reader<T = unknown> = (variable: string, value: string) => T;

/** A reader that throws `problem(value)` when it says something, and else takes the value as it is. */
const checkedBy =
  (problem: (value: string) => string | undefined): Reader<string> =>
  (variable, value) => {
    const found = problem(value);
    if (found) throw new ConfigError(variable, found);
    return value;
  };

const HOUR_MS = 3_600_000;
export const wholeNumber =
  (min: number, max: number, unit = ''): Reader<number> =>
  (variable, value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || n < min || n > max)
      throw new ConfigError(
        variable,
        `must be a whole number${unit} from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    return n;
  };
export const ms = (min: number): Reader<number> => wholeNumber(min, HOUR_MS, ' of milliseconds');
/** Any text: the variable as it is set. */
export const text: Reader<string> = (_variable, value) => value;
/** Calls per second (a whole number ≥ 1), or `off` for no limit. */
export const callRate: Reader<number | false> = (variable, value) =>
  value === 'off' ? false : wholeNumber(1, 1_000_000, ' of calls per second, or "off"')(variable, value);
export const bool: Reader<boolean> = (variable, value) => {
  if (value !== 'true' && value !== 'false')
    throw new ConfigError(variable, `must be "true" or "false", got ${JSON.stringify(value)}`);
  return value === 'true';
};
export const portNumber: Reader<number> = (variable, value) => {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535)
    throw new ConfigError(variable, `must be a port number 0–65535, got ${JSON.stringify(value)}`);
  return port;
};
export const endpoint: Reader<string> = checkedBy((value) =>
  /^\/[\w\-./]*$/.test(value) ? undefined : `must be a path such as "/graphql", got ${JSON.stringify(value)}`,
);
export const headerNames: Reader<string[]> = (variable, value) => {
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  if (names.some((name) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)))
    throw new ConfigError(variable, `must be header names separated by commas, got ${JSON.stringify(value)}`);
  return names;
};

export const oneOf =
  (...values: string[]): Reader<string> =>
  (variable, value) => {
    if (!values.includes(value))
      throw new ConfigError(
        variable,
        `must be ${values.map((v) => `"${v}"`).join(' or ')}, got ${JSON.stringify(value)}`,
      );
    return value;
  };

export const scopeName: Reader<string> = checkedBy((value) =>
  /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value)
    ? undefined
    : `must be one OAuth scope (no spaces or quotes), got ${JSON.stringify(value)}`,
);
/** Origins as browsers send them: `scheme://host[:port]`, no path, no `*`. */
export const origins: Reader<string[]> = (variable, value) =>
  value.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError(
        variable,
        `must be origins such as "https://app.example.com" separated by commas (no path, no "*"), got ${JSON.stringify(origin)}`,
      );
    }
    return origin;
  });

/** A secret a MAC is keyed with: at least `MIN_SECRET_BYTES` (the message names `algorithm`). */
export const macSecret = (algorithm: string): Reader<string> =>
  checkedBy((value) =>
    Buffer.byteLength(value) < MIN_SECRET_BYTES
      ? `must be at least ${MIN_SECRET_BYTES} bytes for ${algorithm}, got ${Buffer.byteLength(value)}`
      : undefined,
  );
export const keySetUrl: Reader<string> = checkedBy(keySetUrlProblem);
export const clockTolerance: Reader<number> = wholeNumber(0, MAX_CLOCK_TOLERANCE_SECONDS, ' of seconds');
export const postgresUrl: Reader<string> = checkedBy((value) =>
  /^postgres(ql)?:\/\/[^\s]+$/.test(value) ? undefined : 'must be a postgres:// URL',
);
/** A VOD endpoint: `https://host[:port]`, no path, no credentials (whichever API). */
export const vodBaseUrl: Reader<string> = checkedBy(vodBaseUrlProblem);
