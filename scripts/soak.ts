/** `npm run soak`: the fault soak at full size (1,000 uploads, concurrency 32); exits 1 on any loss. */
import { formatTally, runSoak } from '../test/soak/run-soak.js';

const tally = await runSoak({ uploads: 1000, concurrency: 32, seed: Number(process.env['SOAK_SEED'] ?? 20261127) });
console.log(formatTally(tally));
const ok = tally.lost === 0 && tally.duplicated === 0 && tally.unexplained.length === 0 && tally.openSocketsAfter === 0;
process.exit(ok ? 0 : 1);
