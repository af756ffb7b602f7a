#!/usr/bin/env node
/**
 * The installed `vod-cover-gateway` command. Plain JavaScript that any Node can parse, so that
 * on a Node the package does not support it refuses in one line, naming the Node it needs,
 * before loading a native module built for another (on Node 20 that ends in a segmentation fault).
 */
import { readFileSync } from 'node:fs';

/** Whether `version` (`22.15.0`) is in `range`, as package.json "engines" writes it here: caret ranges joined by `||`. */
function admits(range, version) {
  const [major, minor, patch] = version.split('.').map(Number);
  return range.split('||').some((part) => {
    const caret = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!caret) throw new Error(`engines.node: only ^x.y.z ranges joined by || are understood here, got "${range}"`);
    const [, wantMajor, wantMinor, wantPatch] = caret.map(Number);
    if (major !== wantMajor) return false;
    return minor > wantMinor || (minor === wantMinor && patch >= wantPatch);
  });
}

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (!admits(engines.node, process.versions.node)) {
  const lines = engines.node.split('||').map((part) => part.trim().replace(/^\^(\d+)\.(\d+)\.\d+$/, '$1 (from $1.$2)'));
  process.stderr.write(
    `vod-cover-gateway needs Node.js ${lines.join(' or ')}; this is Node.js ${process.versions.node} (${process.execPath}). Install a supported Node, or run it with one.\n`,
  );
  process.exit(1);
}
await import('../dist/main.js');
