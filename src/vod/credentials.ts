import { beforeAbort, startDeadline } from '../time/deadline.js';
import { VodAbortedError, VodCredentialsError } from './errors.js';
import { tokenProblem, VOD_SECRET_RULES } from './secret-file.js';
import type { CredentialsProvider, ExpiringCredentials, VodClientBaseOptions, VodCredentials } from './vod-client.js';

export type { CredentialsProvider, ExpiringCredentials } from './vod-client.js';
// Kept here too: config.ts, main.ts and the package index import them from this path.
export { fileCredentials, type CredentialFiles, type FileCredentialsOptions } from './file-credentials.js';

/** Options of {@link createCredentialSource}. */
export interface CredentialSourceOptions {
  /**
   * Ask the provider again this long before `expiresAt`, in ms.
   * @default 300000 (5 minutes)
   */
  refreshBeforeMs?: number;
  /**
   * Longest wait for the provider, in ms: a fetch unanswered by then fails (the kept credentials
   * serve while valid) and the next one asks the provider again.
   * @default 5000
   */
  providerTimeoutMs?: number;
  /** Clock, in ms since the epoch (tests set it). @default Date.now */
  now?: () => number;
}

export const CREDENTIAL_DEFAULTS = { refreshBeforeMs: 300_000, providerTimeoutMs: 5000 } as const;
/** After a failed fetch with credentials still valid, the wait before asking again. */
const RETRY_FAILED_FETCH_MS = 1000;

/** The credentials each VOD attempt signs with. */
export interface CredentialSource {
  /**
   * The credentials to sign with now. Waits for the provider only when no valid ones are kept (a
   * refresh due before `expiresAt` runs meanwhile), and no longer than `signal` allows: then a
   * {@link VodCredentialsError} when it timed out (the call's deadline), a {@link VodAbortedError}
   * when the caller aborted.
   */
  current(signal?: AbortSignal): Promise<VodCredentials>;
  /**
   * VOD refused a signature made with `used`: the next `current()` asks the provider again
   * (once per refused set). Resolves whether that gave other credentials, worth one more try.
   */
  refused(used: VodCredentials, signal?: AbortSignal): Promise<boolean>;
  /** Whether credentials can be had now: valid ones are kept, or the provider gives some within `timeoutMs` (readiness). */
  available(timeoutMs: number): Promise<boolean>;
}

/** A source that never changes: credentials given once. */
export function fixedCredentials(credentials: VodCredentials): CredentialSource {
  return {
    current: () => Promise.resolve(credentials),
    refused: () => Promise.resolve(false),
    available: () => Promise.resolve(true),
  };
}

/** A provider's source: its settings, the credentials kept, and the fetch under way. */
interface SourceState {
  provider: CredentialsProvider;
  refreshBeforeMs: number;
  providerTimeoutMs: number;
  now: () => number;
  kept: { credentials: VodCredentials; refreshAt: number; expiresAt: number } | undefined;
  fetching: Promise<VodCredentials> | undefined;
}

/**
 * Credentials from a provider, kept until shortly before they expire; one fetch at a time, given
 * up after `providerTimeoutMs`, and a failed fetch falls back to the kept ones while they still work.
 */
export function createCredentialSource(
  provider: CredentialsProvider,
  options: CredentialSourceOptions = {},
): CredentialSource {
  const {
    refreshBeforeMs = CREDENTIAL_DEFAULTS.refreshBeforeMs,
    providerTimeoutMs = CREDENTIAL_DEFAULTS.providerTimeoutMs,
    now = Date.now,
  } = options;
  const state: SourceState = {
    provider,
    refreshBeforeMs,
    providerTimeoutMs,
    now,
    kept: undefined,
    fetching: undefined,
  };
  return {
    current: (signal) => {
      const credentials = usable(state);
      return credentials ? Promise.resolve(credentials) : until(fetchOnce(state), signal);
    },
    refused: (used, signal) => refused(state, used, signal),
    async available(timeoutMs) {
      if (usable(state)) return true;
      return until(fetchOnce(state), AbortSignal.timeout(timeoutMs)).then(
        () => true,
        () => false,
      );
    },
  };
}

/** The fetch under way, or a new one: the provider is asked once however many calls wait. */
function fetchOnce(state: SourceState): Promise<VodCredentials> {
  if (state.fetching) return state.fetching;
  const started = askProvider(state);
  // Cleared once settled (not inside: a provider that throws at once would settle first).
  state.fetching = started;
  const clear = () => {
    if (state.fetching === started) state.fetching = undefined;
  };
  void started.then(clear, clear);
  return started;
}

/** Asks the provider and keeps what it gives; on failure, the kept credentials while they are valid. */
async function askProvider(state: SourceState): Promise<VodCredentials> {
  const { now } = state;
  try {
    const got = await answerWithin(state.providerTimeoutMs, state.provider);
    requireCredentials(got);
    const expiresAt = got.expiresAt === undefined ? Number.POSITIVE_INFINITY : Number(got.expiresAt);
    const checkAgainAt = got.checkAgainAt === undefined ? Number.POSITIVE_INFINITY : Number(got.checkAgainAt);
    const credentials: VodCredentials = {
      secretId: got.secretId,
      secretKey: got.secretKey,
      ...(got.token === undefined ? {} : { token: got.token }),
    };
    state.kept = { credentials, expiresAt, refreshAt: Math.min(checkAgainAt, expiresAt - state.refreshBeforeMs) };
    return credentials;
  } catch (error) {
    // Still-valid credentials beat none; ask again in a second, not on every upload.
    const { kept } = state;
    if (kept && now() < kept.expiresAt) {
      kept.refreshAt = Math.min(kept.expiresAt, now() + RETRY_FAILED_FETCH_MS);
      return kept.credentials;
    }
    throw new VodCredentialsError((error as Error).message, { cause: error });
  }
}

/** Valid kept credentials (refreshed meanwhile when due), or undefined when there are none. */
function usable(state: SourceState): VodCredentials | undefined {
  const { kept, now } = state;
  if (!kept || now() >= kept.expiresAt) return undefined;
  // Due for a refresh but still valid: signing goes on while the provider is asked.
  if (now() >= kept.refreshAt) fetchOnce(state).catch(() => undefined);
  return kept.credentials;
}

/** {@link CredentialSource.refused}: drops the refused set and asks again (once per refused set). */
async function refused(state: SourceState, used: VodCredentials, signal: AbortSignal | undefined): Promise<boolean> {
  // Another attempt already saw the refusal and got new ones: use those.
  if (state.kept && state.kept.credentials !== used) return differ(state.kept.credentials, used);
  state.kept = undefined;
  const next = await until(state.fetching ?? fetchOnce(state), signal);
  return differ(next, used);
}

/** The provider's answer, or a rejection once `ms` have passed without one. */
async function answerWithin(ms: number, provider: CredentialsProvider): Promise<ExpiringCredentials> {
  const deadline = startDeadline(ms, 'credentials provider');
  try {
    return await beforeAbort(
      Promise.resolve().then(provider),
      deadline.signal,
      () => new Error(`the credentials provider did not answer within ${ms} ms`),
    );
  } finally {
    deadline.clear();
  }
}

/**
 * `work`, or once `signal` aborts first: a {@link VodCredentialsError} for a deadline (a
 * `TimeoutError`), else a {@link VodAbortedError}. The work itself goes on (others may share it).
 */
function until<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return beforeAbort(work, signal, () =>
    signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
      ? new VodCredentialsError('the credentials provider did not answer within the VOD deadline')
      : new VodAbortedError(),
  );
}

function differ(a: VodCredentials, b: VodCredentials): boolean {
  return a.secretId !== b.secretId || a.secretKey !== b.secretKey || a.token !== b.token;
}

/** The provider's answer checked as the files are: each field a bounded key, id or token (never quoted). */
function requireCredentials(got: Partial<ExpiringCredentials>): asserts got is ExpiringCredentials {
  if (
    typeof got?.secretId !== 'string' ||
    got.secretId === '' ||
    typeof got.secretKey !== 'string' ||
    got.secretKey === ''
  )
    throw new Error('the provider gave no secretId and secretKey');
  for (const [field, rule] of [
    ['secretId', VOD_SECRET_RULES.VOD_SECRET_ID],
    ['secretKey', VOD_SECRET_RULES.VOD_SECRET_KEY],
    ['token', VOD_SECRET_RULES.VOD_TOKEN],
  ] as const) {
    const value = got[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new Error(`the provider gave a ${field} that is not a string`);
    // Measured before anything else reads it: a 64 MiB key would cost every signature 0.6 s.
    if (value.length > rule.maxBytes)
      throw new Error(`the provider gave a ${field} longer than ${rule.maxBytes} bytes`);
    const problem = tokenProblem(value);
    if (problem) throw new Error(`the provider gave a ${field} that ${problem}`);
  }
}

/**
 * The source a client's options give: the `credentials` provider, or the fixed `secretId`,
 * `secretKey` and `token` (checked here, naming the client).
 */
export function credentialSourceOf(client: string, options: VodClientBaseOptions): CredentialSource {
  if (options.credentials) {
    if (typeof options.credentials !== 'function')
      throw new TypeError(`${client}: option "credentials" must be a function`);
    const { credentialsTimeoutMs } = options;
    if (credentialsTimeoutMs !== undefined && !(Number.isInteger(credentialsTimeoutMs) && credentialsTimeoutMs >= 1))
      throw new TypeError(`${client}: option "credentialsTimeoutMs" must be a whole number ≥ 1`);
    return createCredentialSource(options.credentials, {
      ...(options.now ? { now: options.now } : {}),
      ...(credentialsTimeoutMs === undefined ? {} : { providerTimeoutMs: credentialsTimeoutMs }),
    });
  }
  for (const name of ['secretId', 'secretKey'] as const) {
    const value = options[name];
    if (typeof value !== 'string' || value.length === 0)
      throw new TypeError(`${client}: option "${name}" must be a non-empty string (or give "credentials")`);
  }
  return fixedCredentials({
    secretId: options.secretId!,
    secretKey: options.secretKey!,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
}
