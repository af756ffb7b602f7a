import type { CoverStore } from '../ledger/cover-store.js';
import type { VodClient } from '../vod/vod-client.js';
import type { ReadinessChecks } from './operator-routes.js';

/** How long a VOD reachability answer is reused, and how long one may take, in ms. */
const VOD_CHECK = { reuseMs: 5000, timeoutMs: 1000 } as const;

/**
 * What `/ready` asks: the ledger takes writes, VOD's host answers (asked at most every 5 s, so a
 * load balancer's frequent checks cost VOD nothing), and the gateway is not shutting down.
 */
export function readinessChecks(
  ledger: Pick<CoverStore, 'isWritable'>,
  vod: VodClient,
  accepting: () => boolean,
): ReadinessChecks {
  let last: { at: number; ok: Promise<boolean> } | undefined;
  return {
    ledger: () => ledger.isWritable(),
    vod: () => {
      if (!vod.reachable) return true;
      if (!last || Date.now() - last.at > VOD_CHECK.reuseMs)
        last = { at: Date.now(), ok: vod.reachable(VOD_CHECK.timeoutMs) };
      return last.ok;
    },
    accepting,
  };
}
