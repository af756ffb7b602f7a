/**
 * The service as operators and other projects get it: the real `npm start` (signals sent to npm
 * or to the service itself), and the package as `npm pack` makes it, installed elsewhere. One file,
 * so that its builds of dist/ never run beside each other.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import semver from 'semver';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { images } from './fixtures/images.js';
import { UPLOAD_OPERATIONS, multipartBody, rawPost } from './helpers/raw-multipart.js';
import { resultOf, sendUpload } from './helpers/multipart.js';
import { freePort, logMessages } from './helpers/service.js';

const project = fileURLToPath(new URL('..', import.meta.url));
const engines = (JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { engines: { node: string } })
  .engines.node;

/** A Node on this machine that `engines` does not admit (these machines' own is 20), if any. */
const unsupportedNode = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((path) => {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return run.status === 0 && !semver.satisfies(run.stdout.trim(), engines);
});
/** The host app the tarball test installed the package in. */
let installedHost: string | undefined;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: project, stdio: 'ignore' });
}, 120_000);

/** `npm start` on a free port with its own data folder, once it serves. */
async function npmStart() {
  const port = await freePort();
  const npm = spawn('npm', ['start'], {
    cwd: project,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'vod-cover-npm-start-')),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  npm.stdout.on('data', (chunk) => (printed += chunk));
  npm.stderr.on('data', (chunk) => (printed += chunk));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  // The first start may build dist/ (prestart), a few seconds.
  for (let i = 0; i < 600 && npm.exitCode === null && !printed.includes('GraphQL and GraphiQL'); i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(printed).toContain('GraphQL and GraphiQL');
  // npm runs `exec node dist/main.js`: the service is npm's only child.
  const children = readFileSync(`/proc/${npm.pid}/task/${npm.pid}/children`, 'utf8')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map(Number);
  return { npm, port, url: `http://127.0.0.1:${port}/graphql`, service: children, exited, printed: () => printed };
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  it('runs the service as the one child of npm, from the compiled build', async () => {
    const started = await npmStart();
    try {
      expect(started.service).toHaveLength(1);
      // Not a shell in between: a shell would take npm's signal and leave the service running.
      expect(readFileSync(`/proc/${started.service[0]}/cmdline`, 'utf8').split('\0').slice(1, 2)).toEqual([
        'dist/main.js',
      ]);
      // On a Node that engines admits: the machine's when it is one, else the one npm ci brought (Node 24).
      const runtime = execFileSync(readlinkSync(`/proc/${started.service[0]}/exe`), ['--version'], {
        encoding: 'utf8',
      }).trim();
      expect(
        semver.satisfies(runtime, JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).engines.node),
      ).toBe(true);
      const health = await request(`http://127.0.0.1:${started.port}/health`);
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    } finally {
      started.npm.kill('SIGTERM');
      await started.exited;
    }
  });

  it.each([
    ['to npm', (s: Awaited<ReturnType<typeof npmStart>>) => s.npm.pid!],
    ['to the service', (s: Awaited<ReturnType<typeof npmStart>>) => s.service[0]!],
  ])(
    'stops the service with exit code 0 on SIGTERM sent %s, letting an upload in flight finish',
    async (_name, target) => {
      const started = await npmStart();
      const body = multipartBody([
        { name: 'operations', value: UPLOAD_OPERATIONS() },
        { name: 'map', value: '{"0":["variables.file"]}' },
        { name: '0', filename: 'a.jpg', bytes: images.jpg, contentType: 'image/jpeg' },
      ]);
      // The body arrives over ~1 s; SIGTERM comes while it does.
      const answer = rawPost(started.url, body, { trickle: { pieceBytes: Math.ceil(body.length / 10), everyMs: 100 } });
      await new Promise((r) => setTimeout(r, 300));
      const signalledAt = Date.now();
      process.kill(target(started), 'SIGTERM');
      const result = (await answer).json?.data?.['uploadVideoCover'] as { __typename: string } | undefined;
      expect(result?.__typename).toBe('UploadVideoCoverSuccess');
      expect(await started.exited).toBe(0);
      // shutdownGraceMs (10 s) + 5 s at most; an idle service takes far less.
      expect(Date.now() - signalledAt).toBeLessThan(15_000);
      expect(isAlive(started.service[0]!)).toBe(false);
      expect(started.printed()).toContain('SIGTERM: closing');
    },
  );
});

describe('the package', () => {
  it('packs as it can be published: MIT, a changelog, the manual the README links to, schema.graphql exported, maps that resolve, 4.5 MB at most', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: project, encoding: 'utf8' }),
    ) as { unpackedSize: number; files: { path: string }[] }[];
    const paths = pack!.files.map((f) => f.path);
    expect(paths.filter((p) => !p.startsWith('dist/')).sort()).toEqual([
      '.env.example',
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'bin/vod-cover-gateway.js',
      ...readdirSync(join(project, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
      'package.json',
      'schema.graphql',
      'scripts/build.mjs',
    ]);
    expect(pack!.unpackedSize).toBeLessThanOrEqual(4_500_000);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect([manifest.license, manifest.exports['./schema.graphql']]).toEqual(['MIT', './schema.graphql']);
    expect(readFileSync(join(project, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(readFileSync(join(project, 'CHANGELOG.md'), 'utf8')).toContain(`## ${manifest.version} `);
    // src/ is not shipped: every map carries the sources it points at.
    const maps = paths.filter((p) => p.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    const unresolved = maps.filter((path) => {
      const map = JSON.parse(readFileSync(join(project, path), 'utf8')) as {
        sources: string[];
        sourcesContent?: string[];
      };
      return map.sourcesContent?.length !== map.sources.length;
    });
    expect(unresolved).toEqual([]);
    const publish = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts'], { cwd: project, encoding: 'utf8' });
    expect(publish.status).toBe(0);
    // A dry run is not logged in; nothing else may warn.
    const warnings = publish.stderr.split('\n').filter((line) => line.startsWith('npm warn'));
    expect(warnings.filter((line) => !/requires you to be logged in/.test(line))).toEqual([]);
  });

  it('installs from its tarball with --omit=dev elsewhere: its vod-cover-gateway bin serves an upload, createGateway imports, and a host’s own Yoga uploads with createCoverUploads', async () => {
    const packs = mkdtempSync(join(tmpdir(), 'vod-cover-pack-'));
    // dist/ is fresh (beforeAll): pack it as it is, without prepack building it again.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packs], {
        cwd: project,
        encoding: 'utf8',
      }),
    ) as { filename: string; files: { path: string }[] }[];
    const paths = packed[0]!.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/main.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/ledger/migrations/001-create-cover-uploads.sql',
        'dist/graphiql/assets/yoga-graphiql.umd.js.br',
        '.env.example',
      ]),
    );
    expect(paths.filter((p) => p.startsWith('src/') || p.startsWith('test/'))).toEqual([]);

    const host = mkdtempSync(join(tmpdir(), 'vod-cover-host-'));
    writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'host', private: true, type: 'module' }));
    // As a host app installs it: better-sqlite3 13 brings its prebuilt N-API binary, nothing is built.
    const install = spawnSync(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', join(packs, packed[0]!.filename)],
      { cwd: host, encoding: 'utf8' },
    );
    expect(install.status).toBe(0);
    // npm prints its warnings (engines, peers, deprecations) on stderr: none.
    expect(install.stderr).toBe('');
    const installed = JSON.parse(readFileSync(join(host, 'node_modules/vod-cover-gateway/package.json'), 'utf8')) as {
      name: string;
    };
    expect(installed.name).toBe('vod-cover-gateway');
    installedHost = host;

    const imported = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { createGateway, useStreamingUploads, startVodEmulator, createLegacyVodClient } from 'vod-cover-gateway'; console.log([createGateway, useStreamingUploads, startVodEmulator, createLegacyVodClient].map((f) => typeof f).join())",
      ],
      { cwd: host, encoding: 'utf8' },
    );
    expect(imported.trim()).toBe('function,function,function,function');

    // A host's own Yoga with the covers merged in, as the README's recipe writes it.
    writeFileSync(
      join(host, 'host.mjs'),
      `import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { createCoverUploads, DEV_CREDENTIAL, startVodEmulator } from 'vod-cover-gateway';
const emulator = await startVodEmulator();
const covers = createCoverUploads({ vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url }, vodApi: 'legacy', logger: false });
const yoga = createYoga({
  schema: createSchema({
    typeDefs: ['type Query { hello: String! }', covers.typeDefs],
    resolvers: [{ Query: { hello: () => 'host' } }, covers.resolvers],
  }),
  plugins: [...covers.plugins],
  logging: false,
});
const server = createServer(yoga).listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port + '/graphql'));
process.on('SIGTERM', async () => { server.close(); await covers.close(); await emulator.close(); process.exit(0); });
`,
    );
    const hostApp = spawn(process.execPath, ['host.mjs'], { cwd: host, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const hostUrl = await new Promise<string>((resolve) =>
        hostApp.stdout.once('data', (line) => resolve(String(line).trim())),
      );
      const hosted = await sendUpload(hostUrl, { bytes: images.jpg, filename: 'cover.jpg' });
      expect(resultOf(hosted)).toMatchObject({ __typename: 'UploadVideoCoverSuccess' });
      const unguarded = await sendUpload(hostUrl, { bytes: images.jpg, filename: 'cover.jpg', headers: {} });
      expect(unguarded.status).toBe(403);
    } finally {
      hostApp.kill('SIGTERM');
    }

    const port = await freePort();
    const service = spawn(join(host, 'node_modules/.bin/vod-cover-gateway'), [], {
      cwd: host,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: join(host, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    service.stdout.on('data', (chunk) => (printed += chunk));
    service.stderr.on('data', (chunk) => (printed += chunk));
    const exited = new Promise<number | null>((resolve) => service.once('exit', resolve));
    try {
      for (let i = 0; i < 150 && service.exitCode === null && !printed.includes('GraphQL and GraphiQL'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(printed).toContain('GraphQL and GraphiQL');
      const curl = () => logMessages(printed).find((message) => message.startsWith('Upload a cover with curl'));
      for (let i = 0; i < 50 && !curl(); i++) await new Promise((r) => setTimeout(r, 100));
      // The curl it prints sends a file the package ships (test/ is not in it).
      const sample = /-F 0=@(\S+)/.exec(curl() ?? '')?.[1];
      expect(sample).toBe('node_modules/vod-cover-gateway/dist/sample-cover.jpg');
      expect(readFileSync(join(host, sample!))).toEqual(images.jpg);
      const answer = await sendUpload(`http://127.0.0.1:${port}/graphql`, { bytes: images.jpg, filename: 'cover.jpg' });
      expect(resultOf(answer)).toMatchObject({ __typename: 'UploadVideoCoverSuccess', size: images.jpg.length });
      // GraphiQL's files ship brotli-compressed: sent so to a browser, decompressed for any other client.
      const panel = readFileSync(join(project, 'src/graphiql/upload-panel.js'));
      const asset = `http://127.0.0.1:${port}/graphql/graphiql-assets/upload-panel.js`;
      const br = await request(asset, { headers: { 'accept-encoding': 'gzip, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(Buffer.from(await br.body.arrayBuffer()))).toEqual(panel);
      const plain = await request(asset, { headers: { 'accept-encoding': 'gzip' } });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Buffer.from(await plain.body.arrayBuffer())).toEqual(panel);
    } finally {
      service.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 120_000);

  it.skipIf(!unsupportedNode)(
    `its vod-cover-gateway bin, run by a Node engines does not admit (${unsupportedNode}), refuses in one line naming the Node it needs, exit code 1`,
    () => {
      expect(installedHost).toBeDefined();
      const run = spawnSync(unsupportedNode!, [join(installedHost!, 'node_modules/.bin/vod-cover-gateway')], {
        cwd: installedHost!,
        encoding: 'utf8',
        env: { ...process.env, PORT: '0' },
      });
      const version = spawnSync(unsupportedNode!, ['--version'], { encoding: 'utf8' }).stdout.trim().slice(1);
      expect({ status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr }).toEqual({
        status: 1,
        signal: null,
        stdout: '',
        stderr: `vod-cover-gateway needs Node.js 22 (from 22.15) or 24 (from 24.11); this is Node.js ${version} (${unsupportedNode}). Install a supported Node, or run it with one.\n`,
      });
    },
  );
});
