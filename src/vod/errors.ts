/**
 * Transport failures of the VOD client: the call did not produce a VOD answer. (A VOD answer with
 * a negative code is not thrown: it is the failure member of the client's result.)
 *
 * Every class has a stable `code` and carries its evidence as properties. None of them ever holds
 * the SecretKey, the signed URL or the request body.
 */
/** The stable code of each transport failure; the outcome vocabulary gives each a gateway code. */
export type TransportErrorCode =
  | 'VOD_TIMEOUT'
  | 'VOD_CONNECTION'
  | 'VOD_HTTP_STATUS'
  | 'VOD_BAD_RESPONSE'
  | 'VOD_ABORTED'
  | 'VOD_CREDENTIALS'
  | 'VOD_RATE_LIMITED';

export abstract class VodTransportError extends Error {
  /** Stable machine-readable code, e.g. `VOD_TIMEOUT`. */
  abstract readonly code: TransportErrorCode;
  /** Whether sending the same upload again may succeed. */
  abstract readonly canRetry: boolean;
  /** How many HTTP attempts were made before giving up (set by the client). */
  attempts = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: describeCause(options.cause) });
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      canRetry: this.canRetry,
      attempts: this.attempts,
    };
  }
}

/** No answer within the connect, headers or body timeout, or the overall deadline. */
export class VodTimeoutError extends VodTransportError {
  readonly code = 'VOD_TIMEOUT';
  readonly canRetry = true;
  constructor(
    /** Which limit ran out. */
    readonly phase: 'connect' | 'headers' | 'body' | 'deadline',
    options?: { cause?: unknown },
  ) {
    super(`VOD did not answer in time (${phase} timeout)`, options);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), phase: this.phase };
  }
}

/** The connection could not be made or was dropped. */
export class VodConnectionError extends VodTransportError {
  readonly code = 'VOD_CONNECTION';
  readonly canRetry = true;
  constructor(options?: { cause?: unknown }) {
    super('connection to VOD failed or was dropped', options);
  }
}

/** VOD answered with an HTTP status other than 200. */
export class VodHttpStatusError extends VodTransportError {
  readonly code = 'VOD_HTTP_STATUS';
  readonly canRetry: boolean;
  constructor(
    readonly status: number,
    /** How long VOD asked to wait before trying again (its `Retry-After`), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(`VOD answered HTTP ${status}`);
    // 5xx, 408 and 429 are passing; any other status will not change on a retry.
    this.canRetry = status >= 500 || status === 408 || status === 429;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** VOD answered 200 with a body that is not the JSON of §3. */
export class VodBadResponseError extends VodTransportError {
  readonly code = 'VOD_BAD_RESPONSE';
  readonly canRetry = true;
  constructor(detail: string) {
    super(`VOD answered with an unreadable body: ${detail}`);
  }
}

/** The caller aborted the call (its `signal`). */
export class VodAbortedError extends VodTransportError {
  readonly code = 'VOD_ABORTED';
  readonly canRetry = true;
  constructor() {
    super('the VOD call was aborted by the caller');
  }
}

/**
 * Keeps only the name, code and message of an underlying error: undici errors can hold sockets and
 * request objects, which have no place in a log line.
 */
function describeCause(cause: unknown): { name: string; code?: string; message: string } {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { name: cause.name, ...(typeof code === 'string' ? { code } : {}), message: cause.message };
  }
  return { name: 'Error', message: String(cause) };
}

/**
 * The account's VOD call rate (VOD_RATE_LIMIT) left this call no turn: too many calls already wait
 * theirs, or its turn came after its deadline. Nothing was sent.
 */
export class VodRateLimitedError extends VodTransportError {
  readonly code = 'VOD_RATE_LIMITED';
  readonly canRetry = true;
  constructor(
    readonly callsPerSecond: number,
    why: string,
  ) {
    super(`the account's VOD call rate (${callsPerSecond} per second) is spent for now: ${why}`);
  }
}

/** The credentials to sign with could not be read or refreshed (a provider's failure), so nothing was sent. */
export class VodCredentialsError extends VodTransportError {
  readonly code = 'VOD_CREDENTIALS';
  readonly canRetry = true;
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`VOD credentials could not be read: ${detail}`, options);
  }
}
