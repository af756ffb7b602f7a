/**
 * The SecretKey never shows: the real service (src/main.ts, as `npm start` runs it) is given a
 * key, made to fail in every way we can provoke, then stopped; everything it printed and every
 * answer it gave is searched for the key.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startVodEmulator } from '../src/emulator/server.js';
import { images } from './fixtures/images.js';
import { sendUpload } from './helpers/multipart.js';
import { UPLOAD_OPERATIONS, multipartBody, rawPost } from './helpers/raw-multipart.js';
import { startService } from './helpers/service.js';

const SECRET = `sk-${Math.random().toString(36).slice(2)}-never-print-me`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function runService(
  env: Record<string, string>,
  exercise: (url: string) => Promise<string[]>,
): Promise<{ printed: string; answers: string[] }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'vod-cover-secrets-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      VOD_SECRET_ID: 'AKIDsecretstest',
      VOD_SECRET_KEY: SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout.on('data', (chunk) => (printed += chunk));
  child.stderr.on('data', (chunk) => (printed += chunk));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (gone = true));
  try {
    const url = `http://127.0.0.1:${port}/graphql`;
    for (let i = 0; i < 100 && !gone && !printed.includes('GraphQL and GraphiQL'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const answers = await exercise(url);
    child.kill('SIGTERM');
    await exited;
    return { printed, answers };
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function provoke(url: string): Promise<string[]> {
  const answers: string[] = [];
  const keep = async (p: Promise<unknown>) => answers.push(JSON.stringify(await p));
  await keep(sendUpload(url, { bytes: images.jpg, filename: 'cover.jpg' }));
  await keep(sendUpload(url, { bytes: images.png, filename: 'a:b.png' }));
  await keep(rawPost(url, multipartBody([{ name: 'operations', value: '{bad json' }])));
  await keep(
    rawPost(
      url,
      multipartBody(
        [
          { name: 'operations', value: UPLOAD_OPERATIONS() },
          { name: 'map', value: '{"0":["variables.file"]}' },
        ],
        { close: false },
      ),
    ),
  );
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ nope }"}',
  });
  answers.push(await res.body.text());
  return answers;
}

describe('the SecretKey never shows', () => {
  it('when VOD rejects every signature (another key)', async () => {
    await using emulator = await startVodEmulator({
      credentials: [{ secretId: 'AKIDsecretstest', secretKey: 'the-emulators-own-key' }],
    });
    const { printed, answers } = await runService({ VOD_BASE_URL: emulator.url }, provoke);
    expect(answers[0]).toContain('VOD_REJECTED');
    expect(printed).toContain('GraphQL and GraphiQL');
    expect(printed).not.toContain(SECRET);
    for (const answer of answers) expect(answer).not.toContain(SECRET);
  });

  it('when VOD cannot be reached at all', async () => {
    const deadPort = await freePort();
    const { printed, answers } = await runService({ VOD_BASE_URL: `http://127.0.0.1:${deadPort}` }, provoke);
    expect(answers[0]).toContain('VOD_UNAVAILABLE');
    expect(printed).not.toContain(SECRET);
    for (const answer of answers) expect(answer).not.toContain(SECRET);
  });

  it('when the configuration is bad and the service refuses to start', async () => {
    const { printed } = await runService({ VOD_REGION: 'NOT A REGION' }, async () => []);
    expect(printed).toContain('VOD_REGION');
    expect(printed).not.toContain(SECRET);
  });
});

describe('the start line', () => {
  it('names the SecretId by its last 4 characters and its length, never whole', async () => {
    const secretId = 'AKIDstartLineTest00000000000000wxyz';
    await using emulator = await startVodEmulator({ credentials: [{ secretId, secretKey: SECRET }] });
    await using service = await startService({
      VOD_SECRET_ID: secretId,
      VOD_SECRET_KEY: SECRET,
      VOD_BASE_URL: emulator.url,
      LOG_LEVEL: 'info',
    });
    expect(service.messages()).toContain(
      `VOD legacy API (SmallFileUpload): ${emulator.url}/v2/index.php (region gz, SecretId ending in "wxyz", ${secretId.length} characters, from VOD_SECRET_ID/VOD_SECRET_KEY)`,
    );
    expect(service.printed()).not.toContain(secretId);
    expect(service.printed()).not.toContain(SECRET);
  });
});
