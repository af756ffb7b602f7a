/**
 * vitest global setup: makes Debian's Chromium available to the browser test (installing it with
 * scripts/ensure-chromium.sh where it is missing) and tells the test whether it is there. A machine
 * that cannot install it skips that one test, saying why; any machine that can, runs it.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: { path: string } | { missing: string };
  }
}

export default function setup(project: TestProject): void {
  try {
    execFileSync('bash', [new URL('../../scripts/ensure-chromium.sh', import.meta.url).pathname], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 15 * 60_000,
    });
    project.provide('chromium', { path: '/usr/bin/chromium' });
  } catch (error) {
    const why = `Chromium could not be installed: ${(error as Error).message.split('\n')[0]}`;
    console.warn(`\n*** browser test will be skipped: ${why} ***\n`);
    project.provide('chromium', { missing: why });
  }
}
