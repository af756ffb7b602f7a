/**
 * `npm run soak`: the fault soak at full size (1,000 uploads, concurrency 32); exits 1 on any loss.
 * `npm run soak -- --vod-api v3`: the same against the emulator's API 3.0 side.
 * `npm run soak -- --replicas 3`: the replica soak instead (test/soak/run-replica-soak.ts): 3
 * replicas on PostgreSQL behind HAProxy, one killed with SIGKILL midway (PostgreSQL from
 * SOAK_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; HAProxy on PATH).
 * `-- --runs N` runs it N times in a row (a cluster of its own each time) and sums up at the end.
 */
import { formatTally, runSoak } from '../soak/run-soak.js';
import { formatReplicaTally, runReplicaSoak, type ReplicaSoakTally } from '../soak/run-replica-soak.js';

const args = process.argv.slice(2);
/** The value of `--name value` or `--name=value`, if given. */
function option(name: string): string | undefined {
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
}
const wholeNumber = (name: string, min: number, fallback: number): number => {
  const value = option(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs a whole number of at least ${min}`);
  return n;
};

const runs = wholeNumber('runs', 1, 1);
if (option('replicas') !== undefined) {
  const replicas = wholeNumber('replicas', 2, 3);
  const tallies: ReplicaSoakTally[] = [];
  for (let run = 1; run <= runs; run++) {
    const tally = await runReplicaSoak({
      replicas,
      uploads: 300,
      concurrency: 16,
      adminUrl: process.env['SOAK_POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    tallies.push(tally);
    console.log(`${runs > 1 ? `run ${run} of ${runs}: ` : ''}${formatReplicaTally(tally)}`);
  }
  const sum = (pick: (t: ReplicaSoakTally) => number) => tallies.reduce((total, t) => total + pick(t), 0);
  if (runs > 1) {
    console.log(
      `${runs} runs: lost ${sum((t) => t.lost)}, duplicated ${sum((t) => t.duplicated)}, unexplained ${sum((t) => t.unexplained.length)}; ` +
        `VOD calls ${sum((t) => t.vodCalls)} and ledger records ${sum((t) => t.ledgerRecords)} for ${sum((t) => t.uploads)} uploads`,
    );
  }
  process.exit(tallies.every((t) => t.lost === 0 && t.duplicated === 0 && t.unexplained.length === 0) ? 0 : 1);
}

// `-- --vod-api v3`: the same soak against the emulator's API 3.0 side.
const vodApi = args.includes('v3') || args.includes('--vod-api=v3') ? 'v3' : 'legacy';
let ok = true;
for (let run = 1; run <= runs; run++) {
  const tally = await runSoak({
    uploads: 1000,
    concurrency: 32,
    seed: Number(process.env['SOAK_SEED'] ?? 20261127) + run - 1,
    vodApi,
  });
  console.log(`${runs > 1 ? `run ${run} of ${runs}: ` : ''}${formatTally(tally)}`);
  ok &&= tally.lost === 0 && tally.duplicated === 0 && tally.unexplained.length === 0 && tally.openSocketsAfter === 0;
}
process.exit(ok ? 0 : 1);
