import { readSecretFile, VOD_SECRET_RULES } from './secret-file.js';
import type { CredentialsProvider, VodCredentials } from './vod-client.js';

/** Files of mounted secrets (Docker, Kubernetes), and values for the fields without one. */
export interface CredentialFiles {
  secretIdFile?: string;
  secretKeyFile?: string;
  tokenFile?: string;
  secretId?: string;
  secretKey?: string;
  token?: string;
}

/** Options of {@link fileCredentials}. */
export interface FileCredentialsOptions {
  /**
   * Ask to be asked again within this, in ms.
   * @default 10000
   */
  checkEveryMs?: number;
  /**
   * The credentials read at start: signed with (and told of once) while a file cannot be used.
   * @default undefined (a file that cannot be used fails the read)
   */
  initial?: VodCredentials;
  /**
   * Told once when the files stop giving usable credentials (`recovered` false), and once when
   * they give them again; never told what a file holds.
   * @default console.warn
   */
  report?: (message: string, recovered: boolean) => void;
  /** Clock, in ms since the epoch (tests set it). @default Date.now */
  now?: () => number;
}

/** Each file field, with the variable that names it and the bounds of what it holds. */
const CREDENTIAL_FILE_FIELDS = [
  ['secretIdFile', 'secretId', 'VOD_SECRET_ID'],
  ['secretKeyFile', 'secretKey', 'VOD_SECRET_KEY'],
  ['tokenFile', 'token', 'VOD_TOKEN'],
] as const;

/**
 * A provider that reads the files each time it is asked, and asks to be asked again within
 * `checkEveryMs`: a secret Kubernetes rotates in place (its `..data` symlink swapped to a new
 * folder) is read by its path, so the new content is what it gets. Each file must be a regular
 * file of a secret's size and shape (see secret-file.ts); while one is not (deleted, replaced by a
 * FIFO, cut), the credentials read last are used and the problem is reported once.
 */
export function fileCredentials(files: CredentialFiles, options: FileCredentialsOptions = {}): CredentialsProvider {
  const { checkEveryMs = 10_000, now = Date.now, report = (message: string) => console.warn(message) } = options;
  let lastGood = options.initial;
  let reported: string | undefined;

  const value = async (
    file: string | undefined,
    fixed: string | undefined,
    variable: keyof typeof VOD_SECRET_RULES,
  ) => {
    if (file === undefined) return fixed;
    try {
      return await readSecretFile(file, VOD_SECRET_RULES[variable]);
    } catch (error) {
      throw new Error(`${variable}_FILE: ${(error as Error).message}`);
    }
  };
  return async () => {
    const checkAgainAt = now() + checkEveryMs;
    let read: VodCredentials;
    try {
      const [secretId, secretKey, token] = await Promise.all(
        CREDENTIAL_FILE_FIELDS.map(([file, field, variable]) => value(files[file], files[field], variable)),
      );
      read = { secretId: secretId ?? '', secretKey: secretKey ?? '', ...(token === undefined ? {} : { token }) };
    } catch (error) {
      const problem = (error as Error).message;
      if (problem !== reported) {
        reported = problem;
        report(
          lastGood
            ? `VOD credentials: ${problem}; signing with the credentials read before until it is fixed`
            : `VOD credentials: ${problem}`,
          false,
        );
      }
      if (!lastGood) throw error;
      return { ...lastGood, checkAgainAt };
    }
    if (reported !== undefined) {
      reported = undefined;
      report('VOD credentials: the credential files are read again', true);
    }
    lastGood = read;
    return { ...read, checkAgainAt };
  };
}
