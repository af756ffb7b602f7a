/**
 * What `npm ci` installs: clean on the oldest Node the package.json promises. The lockfile is
 * read as npm reads it, and `npm ci --dry-run` (no download, no build: about 2 s) prints npm's own
 * engine and peer warnings.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const project = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
const lockedPackages = Object.entries(lock.packages as Record<string, { dev?: boolean; devOptional?: boolean; engines?: { node?: string } }>)
  .filter(([path]) => path !== '');

/** Locked packages whose `engines.node` does not accept `node`. */
function refusing(node: string, packages: typeof lockedPackages): string[] {
  return packages
    .filter(([, entry]) => typeof entry.engines?.node === 'string' && !semver.satisfies(node, entry.engines.node))
    .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} wants ${entry.engines!.node}`);
}

describe('dependencies', () => {
  it('every package a production install gets accepts the oldest Node that engines.node names', () => {
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    expect(refusing(oldest, lockedPackages.filter(([, entry]) => !entry.dev && !entry.devOptional))).toEqual([]);
  });

  it('every locked package, dev tools included, accepts the oldest Node that devEngines.runtime names', () => {
    const oldest = semver.minVersion(manifest.devEngines.runtime.version)!.version;
    expect(refusing(oldest, lockedPackages)).toEqual([]);
  });

  it('npm ci prints no EBADENGINE and no ERESOLVE warning on this Node', () => {
    const folder = mkdtempSync(join(tmpdir(), 'vod-cover-npm-ci-'));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(project, file), join(folder, file));
    const npm = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: folder, encoding: 'utf8' });
    expect(npm.status).toBe(0);
    // npm prints its warnings on stderr.
    expect(`${npm.stdout}${npm.stderr}`).not.toMatch(/EBADENGINE|ERESOLVE/);
  }, 60_000);
});
