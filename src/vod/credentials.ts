import { readFile } from 'node:fs/promises';
import { VodCredentialsError } from './errors.js';
import type { CredentialsProvider, ExpiringCredentials, VodClientBaseOptions, VodCredentials } from './vod-client.js';

export type { CredentialsProvider, ExpiringCredentials } from './vod-client.js';

/** Options of {@link createCredentialSource}. */
export interface CredentialSourceOptions {
  /**
   * Ask the provider again this long before `expiresAt`, in ms.
   * @default 300000 (5 minutes)
   */
  refreshBeforeMs?: number;
  /** Clock, in ms since the epoch (tests set it). @default Date.now */
  now?: () => number;
}

export const CREDENTIAL_DEFAULTS = { refreshBeforeMs: 300_000 } as const;
/** After a failed fetch with credentials still valid, the wait before asking again. */
const RETRY_FAILED_FETCH_MS = 1000;

/** The credentials each VOD attempt signs with. */
export interface CredentialSource {
  /** The credentials to sign with now (fetched again when they are about to expire). */
  current(): Promise<VodCredentials>;
  /**
   * VOD refused a signature made with `used`: the next `current()` asks the provider again
   * (once per refused set). Resolves whether that gave other credentials, worth one more try.
   */
  refused(used: VodCredentials): Promise<boolean>;
}

/** A source that never changes: credentials given once. */
export function fixedCredentials(credentials: VodCredentials): CredentialSource {
  return { current: () => Promise.resolve(credentials), refused: () => Promise.resolve(false) };
}

/**
 * Credentials from a provider, kept until shortly before they expire; one fetch at a time, and a
 * failed fetch falls back to the kept ones while they still work.
 */
export function createCredentialSource(
  provider: CredentialsProvider,
  options: CredentialSourceOptions = {},
): CredentialSource {
  const { refreshBeforeMs = CREDENTIAL_DEFAULTS.refreshBeforeMs, now = Date.now } = options;
  let kept: { credentials: VodCredentials; refreshAt: number; expiresAt: number } | undefined;
  let fetching: Promise<VodCredentials> | undefined;

  function fetch(): Promise<VodCredentials> {
    if (fetching) return fetching;
    const started = (async () => {
      try {
        const got = await provider();
        requireCredentials(got);
        const expiresAt = got.expiresAt === undefined ? Number.POSITIVE_INFINITY : Number(got.expiresAt);
        const checkAgainAt = got.checkAgainAt === undefined ? Number.POSITIVE_INFINITY : Number(got.checkAgainAt);
        const credentials: VodCredentials = {
          secretId: got.secretId,
          secretKey: got.secretKey,
          ...(got.token === undefined ? {} : { token: got.token }),
        };
        kept = { credentials, expiresAt, refreshAt: Math.min(checkAgainAt, expiresAt - refreshBeforeMs) };
        return credentials;
      } catch (error) {
        // Still-valid credentials beat none; ask again in a second, not on every upload.
        if (kept && now() < kept.expiresAt) {
          kept.refreshAt = Math.min(kept.expiresAt, now() + RETRY_FAILED_FETCH_MS);
          return kept.credentials;
        }
        throw new VodCredentialsError((error as Error).message, { cause: error });
      }
    })();
    // Cleared once settled (not inside: a provider that throws at once would settle first).
    fetching = started;
    void started.then(
      () => {
        if (fetching === started) fetching = undefined;
      },
      () => {
        if (fetching === started) fetching = undefined;
      },
    );
    return started;
  }

  return {
    current: () => (kept && now() < kept.refreshAt ? Promise.resolve(kept.credentials) : fetch()),
    async refused(used) {
      // Another attempt already saw the refusal and got new ones: use those.
      if (kept && kept.credentials !== used) return differ(kept.credentials, used);
      kept = undefined;
      const next = await (fetching ?? fetch());
      return differ(next, used);
    },
  };
}

function differ(a: VodCredentials, b: VodCredentials): boolean {
  return a.secretId !== b.secretId || a.secretKey !== b.secretKey || a.token !== b.token;
}

/** Files of mounted secrets (Docker, Kubernetes), and values for the fields without one. */
export interface CredentialFiles {
  secretIdFile?: string;
  secretKeyFile?: string;
  tokenFile?: string;
  secretId?: string;
  secretKey?: string;
  token?: string;
}

/**
 * A provider that reads the files each time it is asked, and asks to be asked again within
 * `checkEveryMs`: a secret Kubernetes rotates in place (its `..data` symlink swapped to a new
 * folder) is read by its path, so the new content is what it gets.
 */
export function fileCredentials(files: CredentialFiles, checkEveryMs = 10_000, now = Date.now): CredentialsProvider {
  const value = async (file: string | undefined, fixed: string | undefined) =>
    file === undefined ? fixed : (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  return async () => {
    const [secretId, secretKey, token] = await Promise.all([
      value(files.secretIdFile, files.secretId),
      value(files.secretKeyFile, files.secretKey),
      value(files.tokenFile, files.token),
    ]);
    return {
      secretId: secretId ?? '',
      secretKey: secretKey ?? '',
      ...(token === undefined ? {} : { token }),
      checkAgainAt: now() + checkEveryMs,
    };
  };
}

function requireCredentials(got: Partial<ExpiringCredentials>): asserts got is ExpiringCredentials {
  if (
    typeof got?.secretId !== 'string' ||
    got.secretId === '' ||
    typeof got.secretKey !== 'string' ||
    got.secretKey === ''
  )
    throw new Error('the provider gave no secretId and secretKey');
}

/**
 * The source a client's options give: the `credentials` provider, or the fixed `secretId`,
 * `secretKey` and `token` (checked here, naming the client).
 */
export function credentialSourceOf(client: string, options: VodClientBaseOptions): CredentialSource {
  if (options.credentials) {
    if (typeof options.credentials !== 'function')
      throw new TypeError(`${client}: option "credentials" must be a function`);
    return createCredentialSource(options.credentials, options.now ? { now: options.now } : {});
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
