/**
 * What `npm ci` installs: clean on every Node the package.json promises (the 22 and 24 LTS lines),
 * with no override left that pins an old release for an old Node. The lockfile is read as npm
 * reads it, and `npm ci --dry-run` (no download, no build: about 2 s) prints npm's own engine and
 * peer warnings on the Node this suite runs on (CI runs it on 24 and on 22).
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
// Optional packages for another OS (sharp's prebuilt binaries: win32-ia32 is built for Node 20
// only) are never installed on Linux, where the project runs and brings its runtime.
const lockedPackages = Object.entries(
  lock.packages as Record<
    string,
    { dev?: boolean; devOptional?: boolean; optional?: boolean; os?: string[]; engines?: { node?: string } }
  >,
).filter(([path, entry]) => path !== '' && !(entry.optional && entry.os && !entry.os.includes('linux')));

/** Locked packages whose `engines.node` does not accept `node`. */
function refusing(node: string, packages: typeof lockedPackages): string[] {
  return packages
    .filter(([, entry]) => typeof entry.engines?.node === 'string' && !semver.satisfies(node, entry.engines.node))
    .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} wants ${entry.engines!.node}`);
}

describe('dependencies', () => {
  it('every package a production install gets accepts the oldest Node that engines.node names', () => {
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    expect(
      refusing(
        oldest,
        lockedPackages.filter(([, entry]) => !entry.dev && !entry.devOptional),
      ),
    ).toEqual([]);
  });

  it.each(['22.15.0', '24.11.0'])(
    'every locked package, dev tools included, accepts Node %s, the oldest of its LTS line that engines admits',
    (node) => {
      expect(semver.satisfies(node, manifest.engines.node)).toBe(true);
      expect(refusing(node, lockedPackages)).toEqual([]);
    },
  );

  it('admits the 22 and 24 LTS lines and nothing older, nor a line between', () => {
    const admitted = (version: string) => semver.satisfies(version, manifest.engines.node);
    expect(['20.20.2', '21.7.3', '22.14.0', '23.11.0', '24.10.0', '25.0.0'].filter(admitted)).toEqual([]);
    expect(['22.15.0', '22.23.5', '24.11.0', '24.22.3'].every(admitted)).toBe(true);
  });

  it("keeps no override of a dependency for an old Node: only GraphiQL's install-time peers", () => {
    expect(Object.keys(manifest.overrides)).toEqual([
      '@graphql-yoga/graphiql',
      '@graphiql/plugin-explorer',
      'graphiql-explorer',
    ]);
  });

  it('runs this suite on a Node that engines admits', () => {
    expect(semver.satisfies(process.versions.node, manifest.engines.node)).toBe(true);
  });

  it('npm ci prints no EBADENGINE and no ERESOLVE warning on this Node', () => {
    const folder = mkdtempSync(join(tmpdir(), 'vod-cover-npm-ci-'));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(project, file), join(folder, file));
    const npm = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: folder,
      encoding: 'utf8',
    });
    expect(npm.status).toBe(0);
    // npm prints its warnings on stderr.
    expect(`${npm.stdout}${npm.stderr}`).not.toMatch(/EBADENGINE|ERESOLVE/);
  }, 60_000);
});
