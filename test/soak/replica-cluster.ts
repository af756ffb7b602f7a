/**
 * Several replicas of the real service (src/main.ts, each its own process) sharing one PostgreSQL
 * database (created here, dropped at close) and one VOD emulator, behind HAProxy in round-robin.
 * Used by test/ledger/replicas.test.ts and `npm run soak -- --replicas N`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from '../../src/emulator/server.js';
import { createTestDatabase } from '../../support/postgres.js';
import { freePort } from '../helpers/service.js';

const project = fileURLToPath(new URL('../..', import.meta.url));

export interface Replica {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  printed(): string;
  /** SIGKILL: no shutdown, no answer to what it holds. */
  kill(): void;
}

export interface ReplicaCluster {
  emulator: VodEmulator;
  databaseUrl: string;
  replicas: Replica[];
  /** HAProxy's GraphQL URL (round-robin over the replicas, /ready as health check). */
  url: string;
  close(): Promise<void>;
}

export interface ReplicaClusterOptions {
  replicas: number;
  /** Where databases are created and dropped. */
  adminUrl: string;
  /** @default 'haproxy' */
  haproxy?: string;
  /** DATABASE_CLAIM_LEASE_MS of each replica. @default 1000 */
  claimLeaseMs?: number;
}

export async function startReplicaCluster(options: ReplicaClusterOptions): Promise<ReplicaCluster> {
  const { claimLeaseMs = 1000 } = options;
  const database = await createTestDatabase(options.adminUrl);
  // Its subject is not the rate: the cluster drives more than 100 calls a second through it.
  const emulator = await startVodEmulator({ rateLimit: false });
  const replicas: Replica[] = [];
  let haproxy: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    haproxy?.kill('SIGKILL');
    await Promise.all(replicas.map((r) => stop(r.child)));
    await emulator.close();
    await database.drop();
  };
  try {
    for (let i = 1; i <= options.replicas; i++)
      replicas.push(await startReplica(`r${i}`, database.url, emulator.url, claimLeaseMs));
    const port = await freePort();
    const config = join(mkdtempSync(join(tmpdir(), 'vod-cover-haproxy-')), 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(port, replicas));
    haproxy = spawn(options.haproxy ?? 'haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let haproxyErrors = '';
    haproxy.stderr!.on('data', (chunk) => (haproxyErrors += chunk));
    const url = `http://127.0.0.1:${port}/graphql`;
    // Ready once HAProxy answers and sees every replica healthy (/ready through it).
    for (let i = 0; ; i++) {
      const ok = await fetch(url.replace('/graphql', '/ready')).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100 || haproxy.exitCode !== null) throw new Error(`HAProxy did not start: ${haproxyErrors}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { emulator, databaseUrl: database.url, replicas, url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The HAProxy config the README shows: round-robin, /ready as the health check every 200 ms. */
export function haproxyConfig(port: number, replicas: readonly { name: string; port: number }[]): string {
  return `global
  maxconn 4096

defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  retries 2
  option redispatch
  retry-on conn-failure empty-response

frontend covers
  bind 127.0.0.1:${port}
  default_backend replicas

backend replicas
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
  default-server inter 200ms fall 1 rise 2
${replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`).join('\n')}
`;
}

async function startReplica(name: string, databaseUrl: string, vodUrl: string, claimLeaseMs: number): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: project,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      // info: the replica says it is up ("GraphQL: http://…"), what this waits for.
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      DATABASE_CLAIM_LEASE_MS: String(claimLeaseMs),
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      VOD_BASE_URL: vodUrl,
      // The soak's accounting reads the legacy API's `instant` (a replica's VOD call whose answer it
      // never published); API 3.0 has none. run-soak.ts's `vodApi` is the same default.
      VOD_API: 'legacy',
      SHUTDOWN_GRACE_MS: '1000',
      DATA_DIR: mkdtempSync(join(tmpdir(), `vod-cover-${name}-`)),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout!.on('data', (chunk) => (printed += chunk));
  child.stderr!.on('data', (chunk) => (printed += chunk));
  for (let i = 0; i < 200 && child.exitCode === null && !/GraphQL( and GraphiQL)?: http/.test(printed); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (child.exitCode !== null || !/GraphQL( and GraphiQL)?: http/.test(printed))
    throw new Error(`replica ${name} did not start:\n${printed}`);
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    child,
    printed: () => printed,
    kill: () => child.kill('SIGKILL'),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
