import type { CoverRecord, KeptAnswer } from './cover-record.js';
import type { CallSlots } from '../vod/call-budget.js';
import type { UploadClaims } from './upload-claims.js';

export {
  IDEMPOTENCY_KEY_TTL_MS,
  coverRecordOf,
  type CoverRecord,
  type CoverRow,
  type KeptAnswer,
} from './cover-record.js';

/**
 * The cover ledger: every successful upload is recorded; a video's cover is its latest record.
 * The embedded implementation is SQLite (`openSqliteCoverStore`).
 */
export interface CoverStore {
  /** Records one successful upload; committed when it returns (it survives the process crashing). */
  record(cover: CoverRecord): Promise<void>;
  /** The latest cover of each of these videos, in one query. Videos without one are absent. */
  latestCovers(videoFileIds: readonly string[]): Promise<Map<string, CoverRecord>>;
  /** Whether a write would succeed now (for readiness checks). */
  isWritable(): boolean;
  /**
   * Calls `listener` each time the store takes writes again after it did not (held records are then
   * written at once).
   */
  onWritableAgain?(listener: () => void): void;
  /** How long an Idempotency-Key's answer is kept, in ms (the messages say it). */
  readonly idempotencyKeyTtlMs?: number;
  /** The answer kept under `key`, unless it is older than its time to live. */
  answerFor?(key: string): Promise<KeptAnswer | undefined>;
  /** Keeps an answer under its key; a key already kept keeps its first answer. */
  keepAnswer?(answer: KeptAnswer): Promise<void>;
  /** Present when replicas share this store: their single-flight (see `UploadClaims`). */
  readonly claims?: UploadClaims;
  /** Present when replicas share this store: the turns of the account's VOD call rate, kept together. */
  readonly callSlots?: CallSlots;
  close(): void | Promise<void>;
}
