import { type CallSlot, type CallSlots, SLOT_SLACK_MS } from '../vod/call-budget.js';
import type { Query } from './postgres-pool.js';

/** A slot of the shared table: its id orders it among every replica's. */
interface PostgresSlot extends CallSlot {
  readonly id: string;
}

/**
 * The turns of the account's VOD call rate in PostgreSQL, shared by every replica of the ledger
 * (migration 004), timed by the database's clock: one statement to reserve a slot, one to check it
 * again when due, one to move it to when its call was sent.
 */
export function createPostgresCallSlots(query: Query, onError: (error: unknown) => void = () => undefined): CallSlots {
  return {
    async reserve(callsPerSecond) {
      const { rows } = await query<{ slot_id: string; wait_ms: number }>(
        'SELECT slot_id, wait_ms FROM vod_reserve_call_slot($1, $2)',
        [callsPerSecond, SLOT_SLACK_MS],
      );
      const { slot_id: id, wait_ms } = rows[0]!;
      return { id, waitMs: Math.max(0, Number(wait_ms)) } satisfies PostgresSlot;
    },
    async due(slot, callsPerSecond) {
      const { rows } = await query<{ wait_ms: number }>(
        // GREATEST keeps -infinity (no slot before it) out of the subtraction.
        `SELECT EXTRACT(EPOCH FROM (GREATEST(vod_call_slot_allowed_at($1, $2, $3), clock_timestamp()) - clock_timestamp())) * 1000 AS wait_ms`,
        [(slot as PostgresSlot).id, callsPerSecond, SLOT_SLACK_MS],
      );
      const waitMs = Number(rows[0]?.wait_ms);
      return Number.isFinite(waitMs) ? Math.max(0, waitMs) : 0;
    },
    sent(slot) {
      // Not awaited: the call goes now; a late write only spaces the next calls less strictly.
      query('UPDATE vod_call_slots SET at = GREATEST(at, clock_timestamp()) WHERE id = $1', [
        (slot as PostgresSlot).id,
      ]).catch(onError);
    },
  };
}
