import { describe, expect, it } from 'vitest';
import { formatTally, runSoak } from './soak/run-soak.js';

describe('fault soak (short; `npm run soak` for 1,000 uploads at concurrency 32)', () => {
  it.each(['legacy', 'v3'] as const)(
    'accounts for every upload on the %s VOD API: 0 lost, 0 duplicated, 0 unexplained, sockets back to 0',
    async (vodApi) => {
      const tally = await runSoak({ uploads: 200, concurrency: 16, vodApi });
      console.log(`${vodApi}: ${formatTally(tally)}`);
      expect(tally.unexplained).toEqual([]);
      expect(tally.lost).toBe(0);
      expect(tally.duplicated).toBe(0);
      expect(tally.succeeded).toBeGreaterThan(100);
      expect(tally.openSocketsAfter).toBe(0);
    },
    120_000,
  );
});
