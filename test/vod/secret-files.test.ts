/**
 * Secrets from files (`*_FILE`, issue 28, item 9): only a regular file of a secret's size and
 * shape is read, at start and while the service runs. A FIFO, a device (`/dev/zero` never ends), a
 * folder, a 64 MiB key or a multi-line file stops the start with a line naming the variable, and
 * never its content; a file that goes bad later is told of once while the credentials read before
 * sign on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEV_CREDENTIAL, startVodEmulator } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { createCredentialSource, fileCredentials } from '../../src/vod/credentials.js';
import { imageVariant, images } from '../fixtures/images.js';
import { TEST_VOD_OPTIONS } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

const folder = mkdtempSync(join(tmpdir(), 'vod-cover-secret-files-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let made = 0;

/** A new path in the test folder, made by `make` (a write, mkfifo, mkdir). */
function path(make: (at: string) => void): string {
  const at = join(folder, `secret-${made++}`);
  make(at);
  return at;
}
const text = (content: string) => path((at) => writeFileSync(at, content));
const fifo = () => path((at) => execFileSync('mkfifo', [at]));

/** /etc/shadow's format: what an operator who points VOD_SECRET_ID_FILE at the wrong file gives it. */
const SHADOW = 'root:$6$Zq1TxbF2$hWJz9kQ4q1pUuUoS1VbV0:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n';

/** What loadConfig throws, with how long it took. */
function startError(env: NodeJS.ProcessEnv): { error: unknown; ms: number } {
  const started = performance.now();
  try {
    loadConfig(env);
    return { error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('a *_FILE secret that cannot be a secret stops the start, naming the variable, never the content', () => {
  const sparse64MiB = path((at) => {
    writeFileSync(at, '');
    truncateSync(at, 64 * 1024 * 1024);
  });
  it.each([
    ['a FIFO nobody writes', 'VOD_SECRET_KEY_FILE', fifo, 'is a FIFO, not a regular file'],
    [
      '/dev/zero, which never ends',
      'VOD_SECRET_KEY_FILE',
      () => '/dev/zero',
      'is a character device, not a regular file',
    ],
    ['/dev/urandom', 'VOD_SECRET_ID_FILE', () => '/dev/urandom', 'is a character device, not a regular file'],
    [
      'a symlink to /dev/zero',
      'VOD_SECRET_KEY_FILE',
      () => path((at) => symlinkSync('/dev/zero', at)),
      'is a character device, not a regular file',
    ],
    ['a folder', 'VOD_TOKEN_FILE', () => path((at) => mkdirSync(at)), 'is a folder, not a regular file'],
    [
      '/proc/self/environ, which says it is empty and is not',
      'VOD_SECRET_KEY_FILE',
      () => '/proc/self/environ',
      'is longer than 256 bytes, more than this secret can be',
    ],
    [
      'a 64 MiB key',
      'VOD_SECRET_KEY_FILE',
      () => sparse64MiB,
      'is longer than 256 bytes, more than this secret can be',
    ],
    [
      'a key one byte over 256',
      'VOD_SECRET_KEY_FILE',
      () => text('k'.repeat(257)),
      'is longer than 256 bytes, more than this secret can be',
    ],
    [
      'a token one byte over 16 KiB',
      'VOD_TOKEN_FILE',
      () => text('t'.repeat(16_385)),
      'is longer than 16384 bytes, more than this secret can be',
    ],
    [
      'a shadow-format file as the SecretId',
      'VOD_SECRET_ID_FILE',
      () => text(SHADOW),
      'holds more than one line, where a key, id or token is one line of printable ASCII without spaces',
    ],
    [
      'a key with a space in it',
      'VOD_SECRET_KEY_FILE',
      () => text('half-a-key other-half\n'),
      'holds a space or a tab, where a key, id or token is one line of printable ASCII without spaces',
    ],
    [
      'a key with a control character',
      'VOD_SECRET_KEY_FILE',
      () => text('key\u0000with-nul'),
      'holds a control character, where a key, id or token is one line of printable ASCII without spaces',
    ],
    ['an empty key file', 'VOD_SECRET_KEY_FILE', () => text('\n'), 'is empty'],
    ['a file that is not there', 'VOD_SECRET_KEY_FILE', () => join(folder, 'missing'), 'cannot be opened (ENOENT)'],
    [
      'a 64 MiB AUTH_JWT_SECRET_FILE',
      'AUTH_JWT_SECRET_FILE',
      () => sparse64MiB,
      'is longer than 65536 bytes, more than this secret can be',
    ],
    ['a FIFO as DATABASE_URL_FILE', 'DATABASE_URL_FILE', fifo, 'is a FIFO, not a regular file'],
  ])('%s (%s), at once', (_what, variable, make, problem) => {
    const file = make();
    const vod = variable.startsWith('VOD_')
      ? { VOD_SECRET_ID: 'AKIDsecretfiles', VOD_SECRET_KEY: 'secret-files-key', [variable.slice(0, -5)]: undefined }
      : {};
    const { error, ms } = startError({ ...vod, [variable]: file });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable, message: `${variable}: ${JSON.stringify(file)} ${problem}` });
    expect((error as Error).message).not.toMatch(/root|\$6\$|half-a-key|with-nul|PATH=/);
    // Refused from fstat, or from at most one byte past the bound: never a wait, never a long read.
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ['VOD_SECRET_ID', 'AKIDline\nroot:$6$hash', 'holds more than one line'],
    ['VOD_SECRET_KEY', 'a key with spaces', 'holds a space or a tab'],
    ['VOD_SECRET_KEY', 'k'.repeat(257), 'is longer than 256 bytes, more than this secret can be'],
  ])('names %s set directly to what cannot be one', (variable, value, problem) => {
    const { error } = startError({
      VOD_SECRET_ID: 'AKIDsecretfiles',
      VOD_SECRET_KEY: 'secret-files-key',
      [variable]: value,
    });
    expect(error).toMatchObject({ variable, message: expect.stringMatching(new RegExp(`^${variable}: ${problem}`)) });
    expect((error as Error).message).not.toContain(value);
  });

  it('takes a key of exactly 256 bytes, a token of exactly 16 KiB, each with or without its final line break', () => {
    const config = loadConfig({
      VOD_SECRET_ID_FILE: text('AKIDwithfinallinebreak\r\n'),
      VOD_SECRET_KEY_FILE: text('k'.repeat(256)),
      VOD_TOKEN_FILE: text('t'.repeat(16_384)),
    });
    expect(config.vod).toMatchObject({
      secretId: 'AKIDwithfinallinebreak',
      secretKey: 'k'.repeat(256),
      token: 't'.repeat(16_384),
    });
  });
});

describe('the service with a FIFO as VOD_SECRET_KEY_FILE', () => {
  it('stops at once with one line naming the variable, and exit code 1', async () => {
    const file = fifo();
    await using service = await startService({ VOD_SECRET_ID: 'AKIDsecretfiles', VOD_SECRET_KEY_FILE: file });
    // startService has waited for the exit (or up to 15 s for the port): 3 s more stays in the test's 20 s.
    const exit = await Promise.race([service.exited, sleep(3000, 'still starting')]);
    expect(exit).toBe(1);
    expect(service.messages()).toEqual([
      `Configuration error: VOD_SECRET_KEY_FILE: ${JSON.stringify(file)} is a FIFO, not a regular file`,
    ]);
  });
});

describe('a key file that goes bad while the service runs', () => {
  it('is told of once, in one warning, while the key read at start signs every upload', async () => {
    await using emulator = await startVodEmulator();
    const keyFile = text(`${DEV_CREDENTIAL.secretKey}\n`);
    await using service = await startService({
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY_FILE: keyFile,
      VOD_BASE_URL: emulator.url,
    });
    // Deleted after the start read it, before any upload reads it again.
    rmSync(keyFile);
    for (const [i, bytes] of [images.jpg, images.png].entries())
      expect(
        resultOf(await sendUpload(service.url, { bytes, filename: `c${i}.${i ? 'png' : 'jpg'}` })).__typename,
      ).toBe('UploadVideoCoverSuccess');
    expect(service.messages()).toEqual([
      'VOD credentials: VOD_SECRET_KEY_FILE: cannot be opened (ENOENT); signing with the credentials read before until it is fixed',
    ]);
    expect(service.printed()).not.toContain(DEV_CREDENTIAL.secretKey);
  });

  it.each([
    ['deleted', (at: string) => rmSync(at), 'cannot be opened (ENOENT)'],
    [
      'replaced by a FIFO nobody writes',
      (at: string) => {
        rmSync(at);
        execFileSync('mkfifo', [at]);
      },
      'is a FIFO, not a regular file',
    ],
    ['cut to nothing', (at: string) => writeFileSync(at, ''), 'is empty'],
  ])(
    '%s: uploads go on with the key read before, the problem reported once, its end once',
    async (_what, spoil, problem) => {
      await using emulator = await startVodEmulator();
      const keyFile = text(DEV_CREDENTIAL.secretKey);
      const reports: [string, boolean][] = [];
      // Read on every upload (checkEveryMs 0), so that a report per upload would show.
      const credentials = fileCredentials(
        { secretId: DEV_CREDENTIAL.secretId, secretKeyFile: keyFile },
        {
          checkEveryMs: 0,
          initial: DEV_CREDENTIAL,
          report: (message, recovered) => reports.push([message, recovered]),
        },
      );
      const gateway = createGateway({
        vod: { baseUrl: emulator.url, ...TEST_VOD_OPTIONS, credentials },
        logger: false,
        logging: false,
      });
      const url = await gateway.listen(0, '127.0.0.1');
      try {
        const upload = async (i: number) => {
          const answer = await Promise.race([
            sendUpload(url, { bytes: imageVariant(images.jpg, i), filename: 'c.jpg', fileId: `v-${i}` }),
            sleep(8000, 'still waiting' as const),
          ]);
          return answer === 'still waiting' ? answer : resultOf(answer).__typename;
        };
        expect(await upload(0)).toBe('UploadVideoCoverSuccess');
        spoil(keyFile);
        for (let i = 1; i <= 5; i++) expect(await upload(i)).toBe('UploadVideoCoverSuccess');
        rmSync(keyFile, { force: true });
        writeFileSync(keyFile, DEV_CREDENTIAL.secretKey);
        for (let i = 6; i <= 7; i++) expect(await upload(i)).toBe('UploadVideoCoverSuccess');
        // A refresh runs beside the uploads (they sign with what is kept meanwhile): its report may follow them.
        await vi.waitFor(() => expect(reports).toHaveLength(2), { timeout: 5000 });
        expect(reports).toEqual([
          [
            `VOD credentials: VOD_SECRET_KEY_FILE: ${problem}; signing with the credentials read before until it is fixed`,
            false,
          ],
          ['VOD credentials: the credential files are read again', true],
        ]);
        expect(emulator.covers.list()).toHaveLength(8);
      } finally {
        await gateway.close();
      }
    },
  );
});

describe('a credentials provider that gives what cannot be a secret', () => {
  it.each([
    // Each made when its test runs, not when the file is collected.
    [
      'a 64 MiB secretKey',
      () => ({ secretKey: 'k'.repeat(64 * 1024 * 1024) }),
      'the provider gave a secretKey longer than 256 bytes',
    ],
    [
      'a shadow-format secretId',
      () => ({ secretId: SHADOW }),
      'the provider gave a secretId that holds more than one line, where a key, id or token is one line of printable ASCII without spaces',
    ],
    [
      'a token one byte over 16 KiB',
      () => ({ token: 't'.repeat(16_385) }),
      'the provider gave a token longer than 16384 bytes',
    ],
  ])(
    'is refused for %s: VOD_CREDENTIALS, nothing of it quoted, nothing signed with it',
    async (_what, given, problem) => {
      const source = createCredentialSource(() => ({ ...DEV_CREDENTIAL, ...given() }));
      const cpu = process.cpuUsage();
      // The outcome in a few words (a failing diff of a 64 MiB key would itself take minutes).
      const outcome = await source.current().then(
        () => 'taken, to sign with',
        (error: Error & { code?: string; canRetry?: boolean }) => ({
          code: error.code,
          canRetry: error.canRetry,
          message: error.message.slice(0, 300),
        }),
      );
      const { user, system } = process.cpuUsage(cpu);
      expect(outcome).toEqual({
        code: 'VOD_CREDENTIALS',
        canRetry: true,
        message: `VOD credentials could not be read: ${problem}`,
      });
      // Measured, not read: a signature with the 64 MiB key took 0.6 s of CPU.
      expect((user + system) / 1000).toBeLessThan(100);
    },
  );
});
