/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile`: where the self time of a CPU profile went,
 * by function and by package, to read next to `npm run bench -- --profile`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [TOP]');
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, micros] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^file:\/\/\/?.*?\/(node_modules|src|bench|test)\//, '$1/');
  byFunction.set(
    `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`,
    (byFunction.get(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`) ?? 0) + micros,
  );
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.startsWith('node:')
      ? 'node:internal'
      : url.includes('/src/')
        ? 'src'
        : url === ''
          ? `(${functionName})`
          : url.split('/').slice(-2).join('/'));
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (self time, of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
show('By package', byPackage);
show('By function', byFunction);
