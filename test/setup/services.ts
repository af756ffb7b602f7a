/**
 * vitest global setup: PostgreSQL for the ledger tests and HAProxy for the replica tests, each made
 * available by the project's own script (scripts/ensure-postgres.sh starts the machine's cluster,
 * scripts/ensure-haproxy.sh installs Debian's package). A machine without them skips those tests
 * and says why, except under CI=true, where a missing PostgreSQL fails the run.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string } | { missing: string };
    haproxy: { path: string } | { missing: string };
  }
}

/** Where the tests create and drop their databases: the machine's server, trust auth. */
const ADMIN_URL = process.env['TEST_POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function run(script: string): string | undefined {
  try {
    execFileSync('bash', [new URL(`../../scripts/${script}`, import.meta.url).pathname], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 10 * 60_000,
    });
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

export default async function setup(project: TestProject): Promise<void> {
  // The suite's VOD is the emulator on loopback: a proxy in this machine's environment
  // (HTTP_PROXY, HTTPS_PROXY, which the VOD client honours) must not carry it. The egress proxy
  // test sets its own.
  const noProxy = process.env['NO_PROXY'] ?? process.env['no_proxy'];
  process.env['NO_PROXY'] = [noProxy, 'localhost', '127.0.0.1', '::1'].filter(Boolean).join(',');
  let postgresMissing = run('ensure-postgres.sh');
  if (!postgresMissing) {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      postgresMissing = `cannot connect to ${ADMIN_URL}: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (postgresMissing) {
    if (process.env['CI'] === 'true')
      throw new Error(`PostgreSQL tests must run under CI=true, but PostgreSQL is not usable: ${postgresMissing}`);
    console.warn(`\n*** PostgreSQL tests will be skipped: ${postgresMissing} ***\n`);
    project.provide('postgres', { missing: postgresMissing });
  } else {
    project.provide('postgres', { adminUrl: ADMIN_URL });
  }

  const haproxyMissing = run('ensure-haproxy.sh');
  if (haproxyMissing) console.warn(`\n*** replica tests behind HAProxy will be skipped: ${haproxyMissing} ***\n`);
  project.provide(
    'haproxy',
    haproxyMissing
      ? { missing: haproxyMissing }
      : { path: execFileSync('bash', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() },
  );
}
