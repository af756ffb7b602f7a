import type { CoverStore } from '../ledger/cover-store.js';
import { inSpan } from './spans.js';
import type { ClaimOutcome, ClaimedAnswer, UploadClaims } from '../ledger/upload-claims.js';
import type { SetCoverResult, VodClient } from '../vod/vod-client.js';
import { VodTransportError } from '../vod/errors.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import type { UploadEvents } from './upload-events.js';
import type { Outcomes } from './outcomes.js';
import { SingleFlight } from './single-flight.js';
import type { UploadCoverResult } from './upload-result.js';

/** The defaults of the cap on VOD calls. */
export const CONCURRENCY_DEFAULTS = { maxConcurrentVodCalls: 64, vodQueueTimeoutMs: 2000 } as const;

/** Options of {@link createCoverSender}. */
export interface CoverSenderOptions {
  vod: VodClient;
  /** The outcome vocabulary its answers are made of (the uploader's). */
  outcomes: Outcomes;
  /** Where successful uploads are recorded. */
  ledger?: CoverStore;
  /**
   * Most VOD calls in flight at once.
   * @default 64
   */
  maxConcurrentVodCalls?: number;
  /**
   * How long an upload may wait for a place among them before it is answered VOD_UNAVAILABLE.
   * @default 2000
   */
  vodQueueTimeoutMs?: number;
  /**
   * Replicas' shared single-flight (the PostgreSQL ledger's): the same upload on several replicas
   * at once makes one VOD call.
   * @default undefined (this process only)
   */
  claims?: UploadClaims;
  /** Told what happens (logs, metrics). */
  events?: UploadEvents;
}

/** A cover whose bytes were read and checked, ready for VOD. */
export interface CheckedCover {
  videoFileId: string;
  fileName: string;
  fileType: string;
  bytes: Buffer;
  sha1: string;
  size: number;
  /** As the cover shows (its orientation applied). */
  width: number;
  height: number;
  /** Whether its pixels were re-encoded (fitting). */
  transformed: boolean;
  /** The HTTP request's id, passed on to VOD as `x-request-id`. */
  requestId?: string;
}

export interface CoverSender {
  /** Sends one cover; `idempotencyKey`, the client's Idempotency-Key, makes a retry get the first answer. */
  send(cover: CheckedCover, idempotencyKey?: string): Promise<UploadCoverResult>;
  /** VOD calls in flight now. */
  readonly inFlight: number;
}

/**
 * Sends checked covers to VOD: the same bytes for the same video share one VOD call
 * (single-flight), calls are capped (a bounded wait, then VOD_UNAVAILABLE), each success is
 * recorded in the ledger once, and VOD's answer or silence becomes the result union.
 */
export function createCoverSender(options: CoverSenderOptions): CoverSender {
  const {
    vod,
    ledger,
    events = {},
    maxConcurrentVodCalls = CONCURRENCY_DEFAULTS.maxConcurrentVodCalls,
    vodQueueTimeoutMs = CONCURRENCY_DEFAULTS.vodQueueTimeoutMs,
    claims,
    outcomes,
  } = options;
  const recordLost = (error: unknown) =>
    events.recordLost
      ? events.recordLost(error)
      : console.error('cover ledger: a successful upload was not recorded:', error);
  const gate = new ConcurrencyGate(maxConcurrentVodCalls, vodQueueTimeoutMs);
  const flights = new SingleFlight<{ result: UploadCoverResult; keptKey?: string }>();

  /**
   * One VOD call: its answer as the result union, and for a success the record to keep of it (with
   * the answer kept under the caller's key).
   */
  async function callVod(
    cover: CheckedCover,
    idempotencyKey: string | undefined,
  ): Promise<ClaimedAnswer<UploadCoverResult>> {
    if (!(await gate.enter())) return { result: outcomes.error('VOD_UNAVAILABLE', 'busy') };
    let answer: SetCoverResult;
    const started = performance.now();
    try {
      answer = await inSpan('vod.set_cover', { 'vod_cover.video_file_id': cover.videoFileId }, async (span) => {
        const got = await vod.setCover({ ...cover, body: cover.bytes });
        span.setAttributes({
          'vod.code': got.code,
          'vod.attempts': got.attempts,
          ...(got.vodRequestId === undefined ? {} : { 'vod.request_id': got.vodRequestId }),
        });
        return got;
      });
    } catch (error) {
      if (!(error instanceof VodTransportError)) throw error;
      events.vodCalled?.({ result: error.code, durationMs: performance.now() - started, attempts: error.attempts });
      const transport = { code: error.code, message: error.message, canRetry: error.canRetry };
      return { result: { ...outcomes.error('VOD_UNAVAILABLE', 'transport', { transport }), attempts: error.attempts } };
    } finally {
      gate.leave();
    }
    const { attempts } = answer;
    events.vodCalled?.({
      result: answer.ok ? (answer.instant ? 'instant' : 'ok') : answer.canRetry ? 'retryable' : 'rejected',
      durationMs: performance.now() - started,
      attempts,
    });
    const { videoFileId, sha1, size, fileType, width, height, transformed } = cover;
    if (answer.ok) {
      const result: UploadCoverResult = {
        ok: true,
        fileId: answer.fileId,
        url: answer.url,
        videoFileId,
        sha1,
        size,
        width,
        height,
        transformed,
        instant: answer.instant,
        attempts,
        ...(answer.vodRequestId === undefined ? {} : { vodRequestId: answer.vodRequestId }),
      };
      const kept = idempotencyKey === undefined ? {} : { kept: { key: idempotencyKey, result } };
      return {
        result,
        record: {
          videoFileId,
          coverFileId: answer.fileId,
          url: answer.url,
          sha1,
          size,
          fileType,
          uploadedAt: new Date(),
          ...kept,
        },
      };
    }
    const vodRefusal = {
      code: answer.code,
      message: answer.message,
      codeDesc: answer.codeDesc,
      ...(answer.vodErrorCode === undefined ? {} : { vodErrorCode: answer.vodErrorCode }),
    };
    const result = answer.canRetry
      ? outcomes.error('VOD_UNAVAILABLE', 'answer', { vod: vodRefusal })
      : outcomes.error('VOD_REJECTED', 'answer', { vod: vodRefusal });
    return {
      result: {
        ...result,
        attempts,
        ...(answer.vodRequestId === undefined ? {} : { vodRequestId: answer.vodRequestId }),
      },
    };
  }

  /**
   * The call, under the replicas' claim when there is one (which writes the record with the
   * answer), and the record written here otherwise, or when the claim could not. VOD has the cover
   * whatever happens to this write; losing it loses only the record.
   */
  async function callOnce(
    cover: CheckedCover,
    idempotencyKey: string | undefined,
  ): Promise<{ result: UploadCoverResult; keptKey?: string }> {
    let outcome: ClaimOutcome<UploadCoverResult>;
    if (claims) {
      try {
        outcome = await inSpan('ledger.claim', {}, () =>
          claims.runOnce(cover.videoFileId, cover.sha1, () => callVod(cover, idempotencyKey)),
        );
      } catch (error) {
        events.claimsUnreachable?.(error);
        return { result: outcomes.error('LEDGER_UNAVAILABLE', 'unreachable') };
      }
    } else {
      const { result, record } = await callVod(cover, idempotencyKey);
      outcome = record ? { result, ran: true, unrecorded: record } : { result, ran: true };
    }
    const unrecorded = outcome.unrecorded;
    if (unrecorded && ledger) await inSpan('ledger.record', {}, () => ledger.record(unrecorded).catch(recordLost));
    // The key this call's answer was kept under, with its record.
    return outcome.ran && idempotencyKey !== undefined
      ? { result: outcome.result, keptKey: idempotencyKey }
      : { result: outcome.result };
  }

  /** The answer an earlier upload with this Idempotency-Key got, or a refusal when it was another upload. */
  async function keptAnswer(cover: CheckedCover, idempotencyKey: string): Promise<UploadCoverResult | undefined> {
    let kept: Awaited<ReturnType<NonNullable<CoverStore['answerFor']>>>;
    try {
      kept = await ledger?.answerFor?.(idempotencyKey);
    } catch (error) {
      events.claimsUnreachable?.(error);
      return outcomes.error('LEDGER_UNAVAILABLE', 'unreachable');
    }
    if (!kept) return undefined;
    if (kept.videoFileId === cover.videoFileId && kept.sha1 === cover.sha1) return kept.result as UploadCoverResult;
    return outcomes.error('IDEMPOTENCY_KEY_REUSED', 'reused');
  }

  return {
    async send(cover, idempotencyKey) {
      // A retry of an upload that was answered: its answer again, even after a newer cover.
      const kept = idempotencyKey === undefined ? undefined : await keptAnswer(cover, idempotencyKey);
      if (kept) return withShownSize(kept, cover);
      // Same video, same bytes: one VOD call, one ledger record, one answer for every caller (of
      // every replica, with shared claims).
      const flight = flights.run(`${cover.videoFileId}\n${cover.sha1}`, () => callOnce(cover, idempotencyKey));
      if (flight.joined) events.joined?.();
      const { result, keptKey } = await flight.result;
      // A caller that shared another's call keeps the answer under its own key too.
      if (idempotencyKey !== undefined && keptKey !== idempotencyKey && result.ok) {
        await ledger
          ?.keepAnswer?.({ key: idempotencyKey, videoFileId: cover.videoFileId, sha1: cover.sha1, result })
          .catch(recordLost);
      }
      return withShownSize(result, cover);
    },
    get inFlight() {
      return gate.active;
    },
  };
}

/**
 * A success with the cover's shown size. Every path to a success here is for these very bytes
 * (single-flight and kept answers match the SHA-1), so the size read from them holds even for an
 * answer kept or claimed by a replica that did not record it.
 */
function withShownSize(result: UploadCoverResult, { width, height, transformed }: CheckedCover): UploadCoverResult {
  return result.ok ? { ...result, width, height, transformed } : result;
}
