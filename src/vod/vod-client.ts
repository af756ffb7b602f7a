import type { CallTurn, VodCallBudget } from './call-budget.js';
import type { VodTransportError } from './errors.js';
import type { VodTransportOptions } from './transport.js';

/** The credentials both APIs sign with. */
export interface VodCredentials {
  /** Access key id (`SecretId`). */
  secretId: string;
  /** Secret key used to sign; never sent or logged. */
  secretKey: string;
  /** Temporary-credential token (`Token`, `X-TC-Token`), sent when set. */
  token?: string;
}

/** Credentials and, for temporary ones (STS), when they stop working. */
export interface ExpiringCredentials extends VodCredentials {
  /** When VOD stops taking them (a Date, or ms since the epoch); never, when absent. */
  expiresAt?: Date | number;
  /** When to ask the provider again even so (files that may have changed); never, when absent. */
  checkAgainAt?: Date | number;
}

/** Where credentials come from when they change: a vault, STS, mounted files. Called again before `expiresAt`. */
export type CredentialsProvider = () => ExpiringCredentials | Promise<ExpiringCredentials>;

/** What every client takes: credentials and the transport's pool, timeouts and retries. */
export interface VodClientBaseOptions extends Partial<VodCredentials>, VodTransportOptions {
  /**
   * Where the credentials come from when they change (STS, a vault, files), instead of fixed
   * `secretId`/`secretKey`/`token`: asked again before its `expiresAt`, and at once when VOD
   * refuses a signature (then the call is tried once more with what it gives).
   */
  credentials?: CredentialsProvider;
  /**
   * Longest wait for the `credentials` provider, in ms: a fetch unanswered by then fails (the
   * call gets VOD_CREDENTIALS unless valid credentials are kept) and the next call asks again.
   * A call never waits past its own deadline (`retry.deadlineMs`) either.
   * @default 5000
   */
  credentialsTimeoutMs?: number;
  /** Clock for the signed timestamp, in ms since the epoch (tests set it). @default Date.now */
  now?: () => number;
  /**
   * The account's call rate: every attempt (retries too) waits its turn of it first, within the
   * call's deadline. @default none (the gateway gives one: `vodRateLimit`)
   */
  budget?: VodCallBudget | undefined;
}

/** What {@link VodClient.setCover} sends: one video's cover. */
export interface SetCoverInput {
  /** The video the cover belongs to. */
  videoFileId: string;
  /** File name without path and extension. */
  fileName: string;
  /** Extension without the dot. */
  fileType: string;
  /** The file's bytes, whole or as the chunks they arrived in (sent in order, never copied). */
  body: Uint8Array | readonly Uint8Array[];
  /** SHA-1 of the bytes, 40 lower-case hex characters. */
  sha1: string;
  /** Number of bytes. */
  size: number;
  /** The gateway's request id, sent as `x-request-id` so that both sides' logs name the same call. */
  requestId?: string;
  /**
   * The first attempt's turn of the client's `budget`, when the caller took it itself (the gateway
   * does, before its cap on calls, so that a call waiting its turn holds no place); retries take
   * theirs.
   */
  turn?: CallTurn;
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
}

/** VOD took the cover. */
export interface SetCoverSuccess {
  ok: true;
  /** The legacy API's code: 0, or 2 when it already had these bytes (API 3.0: 0). */
  code: 0 | 2;
  /** The cover's own fileId (legacy: a numeric string); API 3.0 gives a cover none, so the video's. */
  fileId: string;
  url: string;
  /** True when VOD already had these bytes for this video (legacy `code: 2`). */
  instant: boolean;
  attempts: number;
  /** VOD's id of the request that answered (API 3.0's `RequestId`), which its support asks for. */
  vodRequestId?: string;
}

/** VOD refused the cover, or failed for now. */
export interface SetCoverFailure {
  ok: false;
  /** VOD's own code (legacy), or the gateway code of the error's class (API 3.0). */
  code: number;
  message: string;
  codeDesc: string;
  /** Whether VOD says the same call may succeed later. */
  canRetry: boolean;
  /** API 3.0's error code (`InvalidParameterValue.FileId`). */
  vodErrorCode?: string;
  attempts: number;
  /** VOD's id of the request that answered (API 3.0's `RequestId`), which its support asks for. */
  vodRequestId?: string;
}

export type SetCoverResult = SetCoverSuccess | SetCoverFailure;

/** One answer of VOD's as an API's parser reads it: a result but for the attempts, which the retries count. */
export type VodAnswer = Omit<SetCoverSuccess, 'attempts'> | Omit<SetCoverFailure, 'attempts'>;

/**
 * The VOD port: what the upload path asks of VOD, whichever API answers it (the legacy
 * `SmallFileUpload`, API 3.0's `ModifyMediaInfo`).
 */
export interface VodClient {
  /**
   * Sets one video's cover, retrying as the transport's retry options allow. Resolves with VOD's
   * answer; throws a {@link VodTransportError} when there was none.
   */
  setCover(input: SetCoverInput): Promise<SetCoverResult>;
  /**
   * Whether a call to VOD could be made now (readiness checks): there are credentials to sign with
   * (the provider answers within `timeoutMs`, or valid ones are kept), and VOD's host answers.
   */
  reachable?(timeoutMs?: number): Promise<boolean>;
  /** Closes the owned pool (not an injected dispatcher). */
  close(): Promise<void>;
}

/**
 * A client this package made: it owns its pool, so `await using` closes it
 * (`Symbol.asyncDispose` is `close`).
 */
export interface OwnedVodClient extends VodClient, AsyncDisposable {
  reachable(timeoutMs?: number): Promise<boolean>;
}
