/**
 * `npm run bench`: the gateway against a no-GraphQL floor and four reference servers (Yoga 5,
 * Apollo Server 5 on node:http and on Express, each with graphql-upload-minimal, and Fastify 5 +
 * Mercurius 16 with mercurius-upload), same emulator upstream, same images. The peers and the floor share a minimal VOD client of their own
 * (servers/minimal-vod-client.ts) and carry no code of src/; the gateway runs as
 * `NODE_ENV=production npm start` builds it, every feature on, plus a row with JWT authentication
 * and one on PostgreSQL.
 *
 * Each server runs alone (never two at once) and reports uploads/s, p50/p99 latency, server CPU ms
 * per upload (/proc/<pid>/stat), peak RSS, errors, and for oversize uploads the bytes the server
 * read per request and its RSS growth. Writes bench/results.json; `-- --readme` also rewrites the
 * README's results section.
 *
 * `-- --peer-check`: each peer built its fastest way beside the same stack built another common way
 * (Yoga parsing inside Yoga with logging on; Mercurius without jit), into bench/peer-check.json.
 *
 * `-- --costs`: the cost table instead, at 64 KiB: the gateway with all on against bench-only
 * builds with one feature off each (bench/without/), into bench/costs.json and, with `--readme`,
 * the README's cost section.
 *
 * Options: `-- --quick` (1 s warm-up, 3 s windows) for a smoke run; `-- --only=64k,900k`;
 * `-- --rounds=3` measures every server three times, taking turns, and reports medians;
 * `-- --tsx` runs the servers' sources under tsx instead of compiling them first with tsc;
 * `-- --servers=gateway,yoga-peer` to measure some servers only (no targets, no README);
 * env BENCH_NODE_FLAGS='--trace-gc' adds Node flags to every server process, and BENCH_CHILD_STDOUT=1
 * shows their stdout (log lines, GC traces) instead of draining it;
 * `-- --profile` writes a CPU profile of each server process to bench/profiles/.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';
import { request } from 'undici';
import { phonePhotoJpeg, photoJpegOfSize } from '../support/photos.js';
import { BOUNDARY, multipartBody } from '../support/multipart-body.js';
import { percentile, runLoad, type Verdict } from './load.js';
import { cpuMs, rssBytes, sampleRss } from './proc.js';
import type { ServerStats } from './servers/child.js';
import { createTestDatabase } from '../support/postgres.js';
import { DEV_CREDENTIAL } from '../src/emulator/server.js';
import { FEATURES } from './without/features.js';
import { SignJWT } from 'jose';

interface Scenario {
  id: string;
  title: string;
  size: number;
  concurrency: number;
  oversize: boolean;
  /** A phone photo to fit (COVER_FIT=on), for the gateway with fitting alone: no peer fits photos. */
  fit?: true;
}

const SCENARIOS: Scenario[] = [
  { id: '64k', title: '64 KiB, concurrency 16', size: 64 * 1024, concurrency: 16, oversize: false },
  { id: '900k', title: '900 KiB, concurrency 16', size: 900 * 1024, concurrency: 16, oversize: false },
  { id: '5m', title: '5 MiB (oversize), 50 concurrent', size: 5 * 1024 * 1024, concurrency: 50, oversize: true },
  {
    id: 'photo',
    title: '12-megapixel phone photo (7.4 MB) fitted, concurrency 4',
    size: 0,
    concurrency: 4,
    oversize: false,
    fit: true,
  },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const onlyServers = args
  .find((a) => a.startsWith('--servers='))
  ?.slice('--servers='.length)
  .split(',');
const ROUNDS = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 1);
const WARMUP_MS = quick ? 1000 : 3000;
const WINDOW_MS = quick ? 3000 : 10_000;
const VIDEO = 'bench-video';

/** A server the bench measures: the script it runs (bench/servers/), its environment, its title. */
interface ServerSpec {
  script: string;
  title: string;
  env?: Record<string, string>;
  /** Sends `Authorization: Bearer <a valid token>` (the server checks JWTs). */
  bearer?: boolean;
}

/** HS256 secret of the authentication row (32 bytes, as the gateway requires). */
const JWT_SECRET = 'bench-only-hs256-secret-0123456789abcdef';

const MAIN_SERVERS = {
  floor: { script: 'floor', title: 'floor (node:http + SHA-1 + minimal VOD client)' },
  'yoga-peer': {
    script: 'yoga-peer',
    title: 'Yoga 5 + graphql-upload-minimal (parsed in the node:http handler, logging off)',
  },
  'apollo-peer': { script: 'apollo-peer', title: 'Apollo Server 5 + graphql-upload-minimal (node:http)' },
  'apollo-express-peer': {
    script: 'apollo-express-peer',
    title: 'Apollo Server 5 + graphql-upload-minimal (Express 5, expressMiddleware)',
  },
  'mercurius-peer': { script: 'mercurius-peer', title: 'Fastify 5 + Mercurius 16 (jit: 1) + mercurius-upload 8' },
  gateway: { script: 'gateway', title: '**vod-cover-gateway**' },
  'gateway-jwt': {
    script: 'gateway',
    title: '**vod-cover-gateway**, JWT authentication on',
    env: { AUTH_JWT_SECRET: JWT_SECRET },
    bearer: true,
  },
  'gateway-postgres': { script: 'gateway', title: '**vod-cover-gateway**, PostgreSQL ledger' },
  'gateway-fit': { script: 'gateway', title: '**vod-cover-gateway**, COVER_FIT=on', env: { COVER_FIT: 'on' } },
} satisfies Record<string, ServerSpec>;

/** `--costs`: the gateway with all on, and with each feature off in a bench-only build. */
const COST_SERVERS: Record<string, ServerSpec> = {
  gateway: MAIN_SERVERS.gateway,
  ...Object.fromEntries(
    Object.entries(FEATURES).map(([feature, { title }]) => [
      `without-${feature}`,
      { script: 'gateway-without', title: `without ${title}`, env: { BENCH_WITHOUT: feature } },
    ]),
  ),
  // A setting, not a module: the gateway as shipped, its metadata strip switched off.
  'without-strip': {
    script: 'gateway',
    title: 'without the metadata strip (COVER_METADATA=keep)',
    env: { COVER_METADATA: 'keep' },
  },
  'without-call-rate': {
    script: 'gateway',
    title: "without the account's call rate (VOD_RATE_LIMIT=off)",
    env: { VOD_RATE_LIMIT: 'off' },
  },
  'gateway-jwt': MAIN_SERVERS['gateway-jwt'],
};

const PEERS = ['yoga-peer', 'apollo-peer', 'apollo-express-peer', 'mercurius-peer'] as const;

/**
 * `--peer-check`: each peer's stack built the way its fastest users build it, beside the same stack
 * built another common way. A peer slower than its other build would hide the gap the bench is for.
 */
const PEER_CHECK_SERVERS: Record<string, ServerSpec> = {
  'yoga-peer': MAIN_SERVERS['yoga-peer'],
  'yoga-peer-in-yoga': {
    script: 'yoga-peer',
    title: 'Yoga 5 + graphql-upload-minimal (parsed inside Yoga: onRequestParse, logging on)',
    env: { BENCH_YOGA_PARSE: 'in-yoga' },
  },
  'yoga-peer-in-yoga-lean': {
    script: 'yoga-peer',
    title: 'Yoga 5 + graphql-upload-minimal (parsed inside Yoga, logging off, no body-size stream)',
    env: { BENCH_YOGA_PARSE: 'in-yoga-lean' },
  },
  'apollo-peer': MAIN_SERVERS['apollo-peer'],
  'apollo-express-peer': MAIN_SERVERS['apollo-express-peer'],
  'mercurius-peer': MAIN_SERVERS['mercurius-peer'],
  'mercurius-peer-nojit': {
    script: 'mercurius-peer',
    title: 'Fastify 5 + Mercurius 16 (jit off) + mercurius-upload 8',
    env: { BENCH_MERCURIUS_JIT: '0' },
  },
};
/** The servers the targets compare: the gateway as one process runs it, against the peers. */
const COMPARED: readonly ServerName[] = ['floor', ...PEERS, 'gateway'];
type ServerName = string;
const costs = args.includes('--costs');
const peerCheck = args.includes('--peer-check');
const SERVERS: Record<ServerName, ServerSpec> = costs ? COST_SERVERS : peerCheck ? PEER_CHECK_SERVERS : MAIN_SERVERS;

interface Measurement {
  server: ServerName;
  uploadsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerUpload: number;
  peakRssMb: number;
  rssGrowthMb: number;
  errors: number;
  firstError?: string;
  rejected: number;
  /** Oversize only: bytes the server read per request it received in the window. */
  bytesReadPerRequest?: number;
}

/**
 * The servers run as JavaScript compiled by tsc, as a production build runs: under tsx each process
 * also holds the transpiler and the source maps of every file it loads, and that weighs with the
 * number of files (measured idle: the gateway 158 MB under tsx, 109 MB compiled). `-- --tsx` runs the
 * sources instead. Returns the folder the server scripts are in.
 */
function buildServers(): URL {
  if (args.includes('--tsx')) return new URL('./servers/', import.meta.url);
  const root = new URL('../', import.meta.url);
  const out = new URL('./.build/', import.meta.url);
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('./tsconfig.build.json', import.meta.url))], {
    stdio: 'inherit',
  });
  cpSync(new URL('src/ledger/migrations/', root), new URL('src/ledger/migrations/', out), { recursive: true });
  return new URL('bench/servers/', out);
}
const SERVERS_DIR = buildServers();

/**
 * `-- --pin`: the server under test on one core, the load and the emulator on the other (taskset,
 * every thread), so that they do not take turns on the server's core: its CPU per upload is then
 * steadier from run to run. Two cores or more. Not the fitting row, whose work is in processes of
 * its own on every core.
 */
const pinned = args.includes('--pin');
const SERVER_CPU = 1;
const LOAD_CPU = 0;
function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
}
if (pinned) pin(process.pid, LOAD_CPU);

function start(script: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const file = new URL(args.includes('--tsx') ? `${script}.ts` : `${script}.js`, SERVERS_DIR);
  const child = fork(file, [], {
    // --profile: a CPU profile of every server process into bench/profiles/ (open in Chrome DevTools).
    execArgv: [
      ...(args.includes('--tsx') ? ['--import', 'tsx'] : []),
      ...(process.env['BENCH_NODE_FLAGS']?.split(' ').filter(Boolean) ?? []),
      ...(args.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : []),
    ],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      ...env,
    },
    // stdout is a pipe that is read and dropped, as a log collector would: the gateway's log lines cost what they cost in production.
    stdio: ['ignore', process.env['BENCH_CHILD_STDOUT'] ? 'inherit' : 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.resume();
  // A fitting server is left on both cores: its fit processes are the work, and they are its children.
  if (pinned && !env['COVER_FIT']) pin(child.pid!, script === 'emulator' ? LOAD_CPU : SERVER_CPU);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (m: { type: string; url?: string }) => {
      if (m.type === 'ready') resolve({ child, url: m.url! });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send('exit');
  });
}

function stats(child: ChildProcess): Promise<ServerStats> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; stats?: ServerStats }) => {
      if (m.type !== 'stats') return;
      child.off('message', onMessage);
      resolve(m.stats!);
    };
    child.on('message', onMessage);
    child.send('stats');
  });
}

/**
 * The operation every server gets: what every peer's schema (servers/peer-schema.ts) answers, and
 * the fields test/operations/upload-video-cover.graphql asks the gateway for.
 */
const UPLOAD_MUTATION = `mutation UploadVideoCover($fileId: ID!, $file: Upload!) {
  uploadVideoCover(fileId: $fileId, file: $file) {
    __typename
    ... on UploadVideoCoverSuccess { fileId url videoFileId sha1 size instant }
    ... on UploadVideoCoverError { code message canRetry reason }
  }
}`;

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** A spec-compliant multipart upload (operations, map, file part), as clients send it. */
function uploadBody(image: Buffer, videoFileId: string): Buffer {
  return multipartBody([
    {
      name: 'operations',
      value: JSON.stringify({ query: UPLOAD_MUTATION, variables: { fileId: videoFileId, file: null } }),
    },
    { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
    { name: '0', filename: 'cover.jpg', bytes: image, contentType: 'image/jpeg' },
  ]);
}
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

/** A token the authentication row accepts: HS256, the upload scope, valid for the whole run. */
function benchToken(): Promise<string> {
  return new SignJWT({ scope: 'covers:write' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

/**
 * Before timing the gateway: one upload of this image must succeed, and VOD must hold it intact
 * (a fitted photo: the cover the answer names). Resolves with the SHA-1 every answer must carry.
 */
async function correctnessGate(
  url: string,
  body: Buffer,
  contentType: string,
  image: Buffer,
  extraHeaders: Record<string, string>,
  fitted = false,
): Promise<string> {
  const res = await request(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': contentType,
      'x-graphql-yoga-csrf': '1',
      'apollo-require-preflight': '1',
      ...extraHeaders,
    },
  });
  const answer = (await res.body.json()) as {
    data?: { uploadVideoCover?: { __typename: string; url?: string; sha1?: string } };
  };
  const result = answer.data?.uploadVideoCover;
  const expected = fitted ? result?.sha1 : sha1(image);
  if (result?.__typename !== 'UploadVideoCoverSuccess' || result.sha1 !== expected) {
    throw new Error(`correctness gate: the server answered ${JSON.stringify(answer).slice(0, 300)}`);
  }
  const stored = await request(result.url!);
  const bytes = Buffer.from(await stored.body.arrayBuffer());
  if (sha1(bytes) !== expected)
    throw new Error('correctness gate: the emulator does not hold the bytes that were sent');
  return expected;
}

async function measure(scenario: Scenario, server: ServerName, upstream: string): Promise<Measurement> {
  const image = scenario.fit ? await phonePhotoJpeg() : await photoJpegOfSize(scenario.size);
  const spec = SERVERS[server]!;
  const { child, url } = await start(spec.script, {
    VOD_BASE_URL: upstream,
    // The peers' and the floor's minimal client speaks SmallFileUpload: the gateway speaks it too,
    // so that no server wins or loses by the protocol (API 3.0 sends the cover base64 in JSON).
    VOD_API: 'legacy',
    // The account's call rate kept, as in production, at a rate the bench never reaches (its cost,
    // not its waits); `--costs` has a row without it.
    VOD_RATE_LIMIT: '10000',
    ...(server === 'gateway-postgres' && database ? { DATABASE_URL: database.url } : {}),
    ...spec.env,
  });
  const authorization: Record<string, string> = spec.bearer ? { authorization: `Bearer ${await benchToken()}` } : {};
  const pid = child.pid!;
  try {
    let requestOf: (worker: number) => { url: string; body: Buffer };
    let headers: Record<string, string>;
    let judge: (status: number, text: string) => Verdict;
    let expectedSha = `"sha1":"${sha1(image)}"`;
    // One video per worker: the same bytes for the same video at once would share one VOD call
    // (single-flight), a saving this workload would show and real traffic would not.
    const videoOf = (worker: number) => `${VIDEO}-${worker}`;
    if (server !== 'floor') {
      const bodies = Array.from({ length: scenario.concurrency }, (_, i) => uploadBody(image, videoOf(i)));
      if (!scenario.oversize) {
        const gate = uploadBody(image, `${VIDEO}-gate`);
        expectedSha = `"sha1":"${await correctnessGate(url, gate, MULTIPART, image, authorization, scenario.fit)}"`;
      }
      requestOf = (worker) => ({ url, body: bodies[worker]! });
      // Both CSRF headers: Yoga's and Apollo Server's (the gateway takes either).
      headers = {
        'content-type': MULTIPART,
        'x-graphql-yoga-csrf': '1',
        'apollo-require-preflight': '1',
        ...authorization,
      };
      judge = (status, text) =>
        status === 200 && text.includes('"__typename":"UploadVideoCoverSuccess"') && text.includes(expectedSha)
          ? 'ok'
          : scenario.oversize && text.includes('"reason":"FILE_TOO_LARGE"')
            ? 'rejected'
            : 'error';
    } else {
      requestOf = (worker) => ({ url: `${url}/upload?fileId=${videoOf(worker)}&name=cover.jpg`, body: image });
      headers = { 'content-type': 'application/octet-stream' };
      judge = (status, text) =>
        status === 200 && text.includes('"ok":true')
          ? 'ok'
          : scenario.oversize && status === 413
            ? 'rejected'
            : 'error';
    }
    const rssBefore = rssBytes(pid);
    const rss = sampleRss(pid);
    let cpuStart = 0;
    let cpuEnd = 0;
    let statsStart: Promise<ServerStats> | undefined;
    let statsEnd: Promise<ServerStats> | undefined;
    const load = await runLoad({
      requestOf,
      headers,
      concurrency: scenario.concurrency,
      warmupMs: WARMUP_MS,
      durationMs: WINDOW_MS,
      judge,
      onWindow(edge) {
        if (edge === 'start') {
          cpuStart = cpuMs(pid);
          statsStart = stats(child);
        } else {
          cpuEnd = cpuMs(pid);
          statsEnd = stats(child);
        }
      },
    });
    const peak = rss.stop();
    const done = load.ok + load.rejected;
    const [s0, s1] = await Promise.all([statsStart!, statsEnd!]);
    const requests = s1.requests - s0.requests;
    return {
      server,
      uploadsPerSecond: (load.ok * 1000) / load.windowMs,
      p50Ms: percentile(load.latencies, 50),
      p99Ms: percentile(load.latencies, 99),
      cpuMsPerUpload: done > 0 ? (cpuEnd - cpuStart) / done : NaN,
      peakRssMb: peak / 2 ** 20,
      rssGrowthMb: (peak - rssBefore) / 2 ** 20,
      errors: load.errors,
      ...(load.firstError ? { firstError: load.firstError } : {}),
      rejected: load.rejected,
      ...(scenario.oversize && requests > 0 ? { bytesReadPerRequest: (s1.bytesRead - s0.bytesRead) / requests } : {}),
    };
  } finally {
    await stop(child);
  }
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
/** A change in percent with its sign: +5.1, −3.6. */
const signed = (n: number) => (n < 0 ? `−${fmt(-n, 1)}` : `+${fmt(n, 1)}`);
const ratio = (g: number | undefined, f: number | undefined) =>
  g === undefined || f === undefined || f === 0 ? undefined : g / f;

/** Each figure's median over the rounds (errors: the sum). */
function medianOf(taken: Measurement[]): Measurement {
  const median = (pick: (m: Measurement) => number | undefined): number => {
    const values = taken
      .map(pick)
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    return values[Math.floor((values.length - 1) / 2)] ?? NaN;
  };
  const first = taken[0]!;
  return {
    ...first,
    uploadsPerSecond: median((m) => m.uploadsPerSecond),
    p50Ms: median((m) => m.p50Ms),
    p99Ms: median((m) => m.p99Ms),
    cpuMsPerUpload: median((m) => m.cpuMsPerUpload),
    peakRssMb: median((m) => m.peakRssMb),
    rssGrowthMb: median((m) => m.rssGrowthMb),
    rejected: median((m) => m.rejected),
    errors: taken.reduce((sum, m) => sum + m.errors, 0),
    ...(first.bytesReadPerRequest !== undefined ? { bytesReadPerRequest: median((m) => m.bytesReadPerRequest) } : {}),
  };
}

type Row = {
  scenario: Scenario;
  measurements: Partial<Record<ServerName, Measurement>>;
  rounds?: Partial<Record<ServerName, Measurement[]>>;
};

/** The peer with more uploads/s (more refusals/s for oversize): the one the targets compare with. */
function betterPeer(row: Row): Measurement {
  const rate = (m: Measurement) => (row.scenario.oversize ? m.rejected : m.uploadsPerSecond);
  const peers = PEERS.map((peer) => row.measurements[peer]!);
  return peers.reduce((best, m) => (rate(m) > rate(best) ? m : best));
}

/** The issue's targets against the better peer, each with its verdict. */
function targets(row: Row): string[] {
  const g = row.measurements.gateway!;
  const p = betterPeer(row);
  const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return [
    `uploads/s ${fmt(g.uploadsPerSecond, 0)} vs ${fmt(p.uploadsPerSecond, 0)} (${p.server}) = ${fmt(g.uploadsPerSecond / p.uploadsPerSecond)}× (target ≥ 1.05×): ${check(g.uploadsPerSecond >= 1.05 * p.uploadsPerSecond)}`,
    `CPU ms/upload ${fmt(g.cpuMsPerUpload, 3)} vs ${fmt(p.cpuMsPerUpload, 3)} (target ≤): ${check(g.cpuMsPerUpload <= p.cpuMsPerUpload)}`,
    `p99 ${fmt(g.p99Ms)} vs ${fmt(p.p99Ms)} ms = ${fmt(g.p99Ms / p.p99Ms)}× (target ≤ 1.1×): ${check(g.p99Ms <= 1.1 * p.p99Ms)}`,
    `peak RSS ${fmt(g.peakRssMb, 1)} vs ${fmt(p.peakRssMb, 1)} MB (target ≤ +20 MB): ${check(g.peakRssMb <= p.peakRssMb + 20)}`,
  ];
}

/**
 * The database of the PostgreSQL row: made on the machine's server for this run and dropped after
 * (BENCH_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres). Without a server
 * that answers, that row is left out and the run says so.
 */
let database: { url: string; drop(): Promise<void> } | undefined;
async function openBenchDatabase(): Promise<void> {
  const adminUrl = process.env['BENCH_POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  try {
    database = await createTestDatabase(adminUrl);
  } catch (error) {
    console.error(
      `bench: no PostgreSQL at ${adminUrl} (${(error as Error).message}): the gateway-postgres row is left out`,
    );
  }
}

/**
 * Where the raw figures go: the cost table's, the peer check's and a partial run's (`--only`,
 * `--servers`) do not overwrite the main one's, which docs/performance.md's table is made from; a
 * partial cost run overwrites neither (it once replaced the full cost table's figures).
 */
const resultsFile =
  only || onlyServers ? 'results-partial.json' : costs ? 'costs.json' : peerCheck ? 'peer-check.json' : 'results.json';

/**
 * The cost table: for each feature, the CPU per upload it costs (the gateway with all on, less the
 * build without it) and what uploads/s and p99 do without it; JWT authentication is a row that
 * adds instead.
 */
function costTable(row: Row): string {
  const all = row.measurements['gateway']!;
  const lines = [
    "| feature | CPU µs/upload it costs | share of the gateway's CPU | uploads/s without it (all on: " +
      fmt(all.uploadsPerSecond, 0) +
      ') | p99 ms without it (all on: ' +
      fmt(all.p99Ms) +
      ') |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [server, spec] of Object.entries(SERVERS)) {
    const m = row.measurements[server];
    if (!m || server === 'gateway') continue;
    const jwt = server === 'gateway-jwt';
    const cost = (jwt ? m.cpuMsPerUpload - all.cpuMsPerUpload : all.cpuMsPerUpload - m.cpuMsPerUpload) * 1000;
    const title = jwt ? 'JWT authentication (on, against off)' : spec.title.replace(/^without /, '');
    lines.push(
      `| ${title} | ${fmt(cost, 0)} | ${fmt((100 * cost) / (all.cpuMsPerUpload * 1000), 1)} % | ${fmt(m.uploadsPerSecond, 0)} | ${fmt(m.p99Ms)} |`,
    );
  }
  const spread = (row.rounds?.['gateway'] ?? [all]).map((m) => m.cpuMsPerUpload * 1000);
  lines.push(
    '',
    `The gateway with every feature on: ${fmt(all.cpuMsPerUpload * 1000, 0)} µs CPU per upload (its rounds: ` +
      `${spread.map((us) => fmt(us, 0)).join(', ')}). A cost smaller than that spread is within noise.`,
  );
  return lines.join('\n');
}

/** The targets that compare the gateway's own rows: JWT on, PostgreSQL, and the stretch against the floor. */
function rowTargets(results: Row[]): string[] {
  const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return results
    .filter((row) => !row.scenario.oversize && row.measurements['gateway'])
    .flatMap(({ scenario, measurements: m }) => {
      const g = m['gateway']!;
      const lines: string[] = [];
      const jwt = m['gateway-jwt'];
      if (jwt)
        lines.push(
          `- ${scenario.id} JWT on: CPU ${fmt(jwt.cpuMsPerUpload, 3)} vs ${fmt(g.cpuMsPerUpload, 3)} ms = ${signed(100 * (jwt.cpuMsPerUpload / g.cpuMsPerUpload - 1))} % (target ≤ 5 %): ${check(jwt.cpuMsPerUpload <= 1.05 * g.cpuMsPerUpload)}`,
        );
      const pg = m['gateway-postgres'];
      if (pg)
        lines.push(
          `- ${scenario.id} PostgreSQL: ${fmt(pg.uploadsPerSecond, 0)} vs SQLite ${fmt(g.uploadsPerSecond, 0)} uploads/s = ${fmt(pg.uploadsPerSecond / g.uploadsPerSecond, 3)}× (target ≥ 0.90×): ${check(pg.uploadsPerSecond >= 0.9 * g.uploadsPerSecond)}`,
        );
      const floor = m['floor'];
      if (floor && scenario.id === '64k')
        lines.push(
          `- 64k stretch: ${fmt(g.uploadsPerSecond / floor.uploadsPerSecond)}× the floor's uploads/s (stretch ≥ 0.85×): ${check(g.uploadsPerSecond >= 0.85 * floor.uploadsPerSecond)}`,
        );
      return lines;
    });
}

async function main(): Promise<void> {
  process.stderr.write(`bench: Node ${process.version} on ${cpus().length} cores (${cpus()[0]?.model.trim()})\n`);
  if (!costs && (!onlyServers || onlyServers.includes('gateway-postgres'))) await openBenchDatabase();
  const emulator = await start('emulator');
  const results: Row[] = [];
  try {
    // The cost table is at 64 KiB, where the per-upload work that is not bytes shows most.
    for (const scenario of SCENARIOS.filter((s) => (costs ? s.id === '64k' : !only || only.includes(s.id)))) {
      process.stderr.write(`${scenario.title}:`);
      // Servers take turns, round after round, each round starting one server later, so that a slow
      // spell of the machine, or of the upstream as a run goes on, falls on all of them.
      const rounds: Partial<Record<ServerName, Measurement[]>> = {};
      const servers = Object.keys(SERVERS).filter(
        (s) =>
          (!onlyServers || onlyServers.includes(s)) &&
          (s !== 'gateway-postgres' || database) &&
          (s === 'gateway-fit') === (scenario.fit === true),
      );
      for (let round = 1; round <= ROUNDS; round++) {
        const shift = (round - 1) % servers.length;
        for (const server of [...servers.slice(shift), ...servers.slice(0, shift)]) {
          process.stderr.write(` ${server}${ROUNDS > 1 ? `#${round}` : ''}…`);
          const taken = rounds[server] ?? [];
          taken.push(await measure(scenario, server, emulator.url));
          rounds[server] = taken;
        }
      }
      const measurements: Row['measurements'] = {};
      for (const [server, taken] of Object.entries(rounds) as [ServerName, Measurement[]][])
        measurements[server] = medianOf(taken);
      process.stderr.write(' done\n');
      results.push({ scenario, measurements, ...(ROUNDS > 1 ? { rounds } : {}) });
    }
  } finally {
    await stop(emulator.child);
    await database?.drop();
  }

  const lines: string[] = [];
  lines.push(
    '| scenario | server | uploads/s (× floor) | p50 ms | p99 ms | CPU ms/upload | peak RSS MB | RSS growth MB | KiB read/request | errors |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { scenario, measurements } of results) {
    const floor = measurements.floor;
    for (const m of Object.keys(SERVERS).flatMap((server) => measurements[server] ?? [])) {
      const rate = scenario.oversize
        ? `${fmt((m.rejected * 1000) / WINDOW_MS, 0)} refused`
        : `${fmt(m.uploadsPerSecond, 0)} (${fmt(ratio(m.uploadsPerSecond, floor?.uploadsPerSecond))})`;
      lines.push(
        `| ${scenario.title} | ${SERVERS[m.server]!.title} | ${rate} | ${fmt(m.p50Ms)} | ${fmt(m.p99Ms)} | ${fmt(m.cpuMsPerUpload, 3)} | ${fmt(m.peakRssMb, 1)} | ${fmt(m.rssGrowthMb, 1)} | ${fmt(m.bytesReadPerRequest === undefined ? undefined : m.bytesReadPerRequest / 1024, 0)} | ${m.errors} |`,
      );
    }
  }
  const verdicts = results
    .filter((row) => !row.scenario.oversize && COMPARED.every((server) => row.measurements[server]))
    .flatMap((row) => [
      `${row.scenario.title}, gateway against the better peer:`,
      ...targets(row).map((t) => `- ${t}`),
    ]);
  const table = costs
    ? costTable(results[0]!)
    : `${lines.join('\n')}\n\n${[...verdicts, ...rowTargets(results)].join('\n')}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `\n${table}\n\n${machine}; ${date}; warm-up ${WARMUP_MS / 1000} s, window ${WINDOW_MS / 1000} s each; median of ${ROUNDS} round(s)`,
  );
  for (const { scenario, measurements } of results) {
    for (const m of Object.values(measurements))
      if (m?.firstError) console.log(`${scenario.id} ${m.server} first error: ${m.firstError}`);
  }

  writeFileSync(
    new URL(`./${resultsFile}`, import.meta.url),
    `${JSON.stringify({ date, machine, warmupMs: WARMUP_MS, windowMs: WINDOW_MS, results }, null, 2)}\n`,
  );
  if (args.includes('--readme') && !onlyServers && !peerCheck) {
    const readme = new URL('../docs/performance.md', import.meta.url);
    const text = readFileSync(readme, 'utf8');
    const marker = costs ? 'costs' : 'bench';
    const command = `npm run bench -- ${costs ? '--costs ' : ''}--rounds=${ROUNDS}${pinned ? ' --pin' : ''}`;
    const section = `<!-- ${marker}:start -->\nMeasured ${date} on ${machine} with \`${command}\` (warm-up ${WARMUP_MS / 1000} s, window ${WINDOW_MS / 1000} s per server and round; the median of ${ROUNDS} round${ROUNDS > 1 ? 's' : ''}; raw figures in \`bench/${resultsFile}\`):\n\n${table}\n<!-- ${marker}:end -->`;
    writeFileSync(readme, text.replace(new RegExp(`<!-- ${marker}:start -->[\\s\\S]*<!-- ${marker}:end -->`), section));
  }
}

await main();
