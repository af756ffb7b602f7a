/**
 * `npm run soak`: the fault soak at full size (1,000 uploads, concurrency 32); exits 1 on any loss.
 * `npm run soak -- --vod-api v3`: the same against the emulator's API 3.0 side.
 * `npm run soak -- --replicas 3`: the replica soak instead (test/soak/run-replica-soak.ts): 3
 * replicas on PostgreSQL behind HAProxy, one killed with SIGKILL midway (PostgreSQL from
 * SOAK_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; HAProxy on PATH).
 */
import { formatTally, runSoak } from '../test/soak/run-soak.js';
import { formatReplicaTally, runReplicaSoak } from '../test/soak/run-replica-soak.js';

const args = process.argv.slice(2);
const replicasAt = args.findIndex((a) => a === '--replicas' || a.startsWith('--replicas='));
if (replicasAt >= 0) {
  const value = args[replicasAt]!.includes('=') ? args[replicasAt]!.split('=')[1] : args[replicasAt + 1];
  const replicas = Number(value);
  if (!Number.isInteger(replicas) || replicas < 2) throw new Error('--replicas needs a whole number of at least 2');
  const tally = await runReplicaSoak({
    replicas,
    uploads: 300,
    concurrency: 16,
    adminUrl: process.env['SOAK_POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  console.log(formatReplicaTally(tally));
  process.exit(tally.lost === 0 && tally.duplicated === 0 && tally.unexplained.length === 0 ? 0 : 1);
}

// `-- --vod-api v3`: the same soak against the emulator's API 3.0 side.
const vodApi = args.includes('v3') || args.includes('--vod-api=v3') ? 'v3' : 'legacy';
const tally = await runSoak({ uploads: 1000, concurrency: 32, seed: Number(process.env['SOAK_SEED'] ?? 20261127), vodApi });
console.log(formatTally(tally));
const ok = tally.lost === 0 && tally.duplicated === 0 && tally.unexplained.length === 0 && tally.openSocketsAfter === 0;
process.exit(ok ? 0 : 1);
