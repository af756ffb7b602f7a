import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A secret read from a mounted file (`*_FILE`: Docker and Kubernetes secrets), at start and again
 * while the service runs. Only a regular file of bounded size is read: it is opened without
 * blocking (a FIFO nobody writes opens at once) and examined before a byte is read, so a FIFO, a
 * device (`/dev/zero` never ends) or a folder is refused, and so is a file longer than the secret
 * can be. Every problem is told without the file's content.
 */

/** What a secret file may hold. */
export interface SecretRule {
  /** Most bytes of the file, its final line break included. */
  maxBytes: number;
  /** `token`: one line of printable ASCII without spaces (keys, ids, tokens); `text`: anything. */
  shape: 'token' | 'text';
}

/** Bounds of the VOD secrets: a SecretId is 36 characters and a SecretKey 32 (temporary ones run longer), an STS token a few KB. */
export const VOD_SECRET_RULES = {
  VOD_SECRET_ID: { maxBytes: 256, shape: 'token' },
  VOD_SECRET_KEY: { maxBytes: 256, shape: 'token' },
  VOD_TOKEN: { maxBytes: 16_384, shape: 'token' },
} as const satisfies Record<string, SecretRule>;

/** Any other secret file (a JWT secret, DATABASE_URL): bounded, its content not checked here. */
export const OTHER_SECRET_RULE: SecretRule = { maxBytes: 65_536, shape: 'text' };

/** A secret file that cannot be used; `message` says why, never what it holds. */
export class SecretFileError extends Error {
  constructor(
    /** Why, e.g. `is a FIFO, not a regular file`, `cannot be opened (ENOENT)`. */
    readonly problem: string,
  ) {
    super(problem);
    this.name = 'SecretFileError';
  }
}

// O_NONBLOCK: opening a FIFO waits for a writer otherwise (and a worker thread with it).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** The secret in `path` without its final line break, or a {@link SecretFileError} (start-up: blocks briefly). */
export function readSecretFileSync(path: string, rule: SecretRule): string {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw cannotOpen(error);
  }
  try {
    const limit = checkedSize(fstatSync(fd), rule);
    // One byte more than allowed: a file that grew since fstat (or a /proc file, size 0) is caught.
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n)
      n = readSync(fd, buffer, length, buffer.length - length, null);
    return checkedText(buffer.subarray(0, length), rule);
  } catch (error) {
    throw cannotRead(error);
  } finally {
    closeSync(fd);
  }
}

/** The secret in `path` without its final line break, or a {@link SecretFileError}. */
export async function readSecretFile(path: string, rule: SecretRule): Promise<string> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw cannotOpen(error);
  }
  try {
    const limit = checkedSize(await file.stat(), rule);
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n)
      n = (await file.read(buffer, length, buffer.length - length, null)).bytesRead;
    return checkedText(buffer.subarray(0, length), rule);
  } catch (error) {
    throw cannotRead(error);
  } finally {
    await file.close();
  }
}

function cannotOpen(error: unknown): SecretFileError {
  return new SecretFileError(`cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
}

/** Our own refusal as it is; a failing stat or read (EIO) by its code. */
function cannotRead(error: unknown): SecretFileError {
  if (error instanceof SecretFileError) return error;
  return new SecretFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
}

/** The file's size bound, after refusing anything but a regular file of at most `maxBytes`. */
function checkedSize(stats: Stats, rule: SecretRule): number {
  if (!stats.isFile()) throw new SecretFileError(`is ${kindOf(stats)}, not a regular file`);
  if (stats.size > rule.maxBytes) throw tooLong(rule);
  return rule.maxBytes;
}

function tooLong(rule: SecretRule): SecretFileError {
  return new SecretFileError(`is longer than ${rule.maxBytes} bytes, more than this secret can be`);
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/** The text of the bytes read, its final line break dropped, when it has the rule's shape. */
function checkedText(bytes: Buffer, rule: SecretRule): string {
  if (bytes.length > rule.maxBytes) throw tooLong(rule);
  const text = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (rule.shape === 'token') {
    const problem = tokenProblem(text);
    if (problem) throw new SecretFileError(problem);
  }
  return text;
}

/** What a key, id or token must not hold, in the order a message names it. */
const NOT_IN_A_TOKEN: readonly (readonly [RegExp, string])[] = [
  [/[\r\n]/, 'more than one line'],
  [/\s/, 'a space or a tab'],
  [/\p{Cc}/u, 'a control character'],
  [/[^\x21-\x7e]/, 'a character that is not printable ASCII'],
];

/**
 * Why a text cannot be a key, id or token (one line of printable ASCII, no spaces), or undefined
 * when it can. Says which kind of character is wrong, never the text.
 */
export function tokenProblem(text: string): string | undefined {
  if (text === '') return 'is empty';
  const wrong = NOT_IN_A_TOKEN.find(([pattern]) => pattern.test(text))?.[1];
  return wrong && `holds ${wrong}, where a key, id or token is one line of printable ASCII without spaces`;
}
