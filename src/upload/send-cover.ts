import type { CoverStore } from '../ledger/cover-store.js';
import { inSpan } from './spans.js';
import type { ClaimOutcome, ClaimedAnswer, UploadClaims } from '../ledger/upload-claims.js';
import type { SetCoverFailure, SetCoverResult, VodClient } from '../vod/vod-client.js';
import type { CallTurn, VodCallBudget } from '../vod/call-budget.js';
import { VodRateLimitedError, VodTransportError } from '../vod/errors.js';
import { DEFAULT_RETRY_OPTIONS } from '../vod/retry.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import type { UploadEvents } from './upload-events.js';
import { isOutcomeKey, outcomeKey, type OutcomeKey, type Outcomes } from './outcomes.js';
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
  maxConcurrentVodCalls?: number | undefined;
  /**
   * How long an upload may wait for a place among them before it is answered VOD_UNAVAILABLE.
   * @default 2000
   */
  vodQueueTimeoutMs?: number | undefined;
  /**
   * Replicas' shared single-flight (the PostgreSQL ledger's): the same upload on several replicas
   * at once makes one VOD call.
   * @default undefined (this process only)
   */
  claims?: UploadClaims | undefined;
  /**
   * The account's VOD call rate: a call takes its turn before its place among the calls in flight
   * (a call waiting its turn holds none), within `vodDeadlineMs`; past its queue, or its deadline,
   * VOD_UNAVAILABLE (VOD_RATE_LIMITED).
   * @default undefined (no rate kept)
   */
  budget?: VodCallBudget | undefined;
  /**
   * Longest wait for a turn of `budget`, in ms: the VOD call's own deadline.
   * @default 30000
   */
  vodDeadlineMs?: number | undefined;
  /** Told what happens (logs, metrics). */
  events?: UploadEvents;
}

/** What the sender notes of one upload's way to VOD, for its log line. */
export interface SendNotes {
  /** How long its VOD call waited for its turn of the account's rate, in ms. */
  turnWaitMs?: number | undefined;
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
  /**
   * Sends one cover; `idempotencyKey`, the client's Idempotency-Key, makes a retry get the first
   * answer. A failure found before VOD was asked is its outcome key, for the uploader to answer.
   */
  send(cover: CheckedCover, idempotencyKey?: string, notes?: SendNotes): Promise<UploadCoverResult | OutcomeKey>;
}

/** What a sender holds for every cover: VOD, the ledger, the cap on calls, the flights under way. */
interface SenderState {
  vod: VodClient;
  ledger: CoverStore | undefined;
  claims: UploadClaims | undefined;
  outcomes: Outcomes;
  events: UploadEvents;
  gate: ConcurrencyGate;
  budget: VodCallBudget | undefined;
  vodDeadlineMs: number;
  flights: SingleFlight<Flight>;
  recordLost(error: unknown): void;
}

/** A VOD call's answer (or a failure before it), and the Idempotency-Key it was kept under, if any. */
interface Flight {
  result: UploadCoverResult | OutcomeKey;
  keptKey?: string;
}

/**
 * Sends checked covers to VOD: the same bytes for the same video share one VOD call
 * (single-flight), calls are capped (a bounded wait, then VOD_UNAVAILABLE), each success is
 * recorded in the ledger once, and VOD's answer or silence becomes the result union.
 */
export function createCoverSender(options: CoverSenderOptions): CoverSender {
  const { events = {} } = options;
  const state: SenderState = {
    vod: options.vod,
    ledger: options.ledger,
    claims: options.claims,
    outcomes: options.outcomes,
    events,
    gate: new ConcurrencyGate(
      options.maxConcurrentVodCalls ?? CONCURRENCY_DEFAULTS.maxConcurrentVodCalls,
      options.vodQueueTimeoutMs ?? CONCURRENCY_DEFAULTS.vodQueueTimeoutMs,
    ),
    budget: options.budget,
    vodDeadlineMs: options.vodDeadlineMs ?? DEFAULT_RETRY_OPTIONS.deadlineMs,
    flights: new SingleFlight<Flight>(),
    recordLost: (error) =>
      events.recordLost
        ? events.recordLost(error)
        : console.error('cover ledger: a successful upload was not recorded:', error),
  };
  return { send: (cover, idempotencyKey, notes = {}) => send(state, cover, idempotencyKey, notes) };
}

async function send(
  state: SenderState,
  cover: CheckedCover,
  idempotencyKey: string | undefined,
  notes: SendNotes,
): Promise<UploadCoverResult | OutcomeKey> {
  // A retry of an upload that was answered: its answer again, even after a newer cover.
  const kept = idempotencyKey === undefined ? undefined : await keptAnswer(state, cover, idempotencyKey);
  if (kept) return withShownSize(state.outcomes, kept, cover);
  // Same video, same bytes: one VOD call, one ledger record, one answer for every caller (of
  // every replica, with shared claims).
  const flight = state.flights.run(`${cover.videoFileId}\n${cover.sha1}`, () =>
    callOnce(state, cover, idempotencyKey, notes),
  );
  if (flight.joined) state.events.joined?.();
  const { result, keptKey } = await flight.result;
  // A caller that shared another's call keeps the answer under its own key too.
  if (idempotencyKey !== undefined && keptKey !== idempotencyKey && result.ok) {
    await state.ledger
      ?.keepAnswer?.({ key: idempotencyKey, videoFileId: cover.videoFileId, sha1: cover.sha1, result })
      .catch(state.recordLost);
  }
  return withShownSize(state.outcomes, result, cover);
}

/** The answer an earlier upload with this Idempotency-Key got, or a refusal when it was another upload. */
async function keptAnswer(
  { ledger, events }: SenderState,
  cover: CheckedCover,
  idempotencyKey: string,
): Promise<UploadCoverResult | OutcomeKey | undefined> {
  let kept: Awaited<ReturnType<NonNullable<CoverStore['answerFor']>>>;
  try {
    kept = await ledger?.answerFor?.(idempotencyKey);
  } catch (error) {
    events.claimsUnreachable?.(error);
    return outcomeKey('LEDGER_UNAVAILABLE', 'unreachable');
  }
  if (!kept) return undefined;
  if (kept.videoFileId === cover.videoFileId && kept.sha1 === cover.sha1) return kept.result as UploadCoverResult;
  return outcomeKey('IDEMPOTENCY_KEY_REUSED', 'reused');
}

/**
 * The call, under the replicas' claim when there is one (which writes the record with the
 * answer), and the record written here otherwise, or when the claim could not. VOD has the cover
 * whatever happens to this write; losing it loses only the record.
 */
async function callOnce(
  state: SenderState,
  cover: CheckedCover,
  idempotencyKey: string | undefined,
  notes: SendNotes,
): Promise<Flight> {
  const { claims, ledger } = state;
  let outcome: ClaimOutcome<UploadCoverResult>;
  if (claims) {
    try {
      outcome = await inSpan('ledger.claim', {}, () =>
        claims.runOnce(cover.videoFileId, cover.sha1, () => callVod(state, cover, idempotencyKey, notes)),
      );
    } catch (error) {
      state.events.claimsUnreachable?.(error);
      return { result: outcomeKey('LEDGER_UNAVAILABLE', 'unreachable') };
    }
  } else {
    const { result, record } = await callVod(state, cover, idempotencyKey, notes);
    outcome = record ? { result, ran: true, unrecorded: record } : { result, ran: true };
  }
  const unrecorded = outcome.unrecorded;
  if (unrecorded && ledger) await inSpan('ledger.record', {}, () => ledger.record(unrecorded).catch(state.recordLost));
  // The key this call's answer was kept under, with its record.
  return outcome.ran && idempotencyKey !== undefined
    ? { result: outcome.result, keptKey: idempotencyKey }
    : { result: outcome.result };
}

/**
 * One VOD call: its answer as the result union, and for a success the record to keep of it (with
 * the answer kept under the caller's key). Built whole here: a replicas' claim keeps it as JSON
 * for the others.
 */
async function callVod(
  state: SenderState,
  cover: CheckedCover,
  idempotencyKey: string | undefined,
  notes: SendNotes,
): Promise<ClaimedAnswer<UploadCoverResult>> {
  const answer = await askVod(state, cover, notes);
  if (isOutcomeKey(answer)) return { result: state.outcomes.fail(answer) };
  if (!answer.ok) return { result: state.outcomes.fail(refusedBy(answer)) };
  const { videoFileId, sha1, size, fileType, width, height, transformed } = cover;
  const { code, fileId, url, instant, attempts, vodRequestId } = answer;
  const result = state.outcomes.success({
    code,
    fileId,
    url,
    instant,
    attempts,
    vodRequestId,
    videoFileId,
    sha1,
    size,
    width,
    height,
    transformed,
  });
  const kept = idempotencyKey === undefined ? {} : { kept: { key: idempotencyKey, result } };
  const uploadedAt = new Date();
  return {
    result,
    record: { videoFileId, coverFileId: fileId, url, sha1, size, fileType, uploadedAt, ...kept },
  };
}

/** VOD's answer, within the cap on calls; its silence (a transport failure) as VOD_UNAVAILABLE. */
async function askVod(state: SenderState, cover: CheckedCover, notes: SendNotes): Promise<SetCoverResult | OutcomeKey> {
  const { vod, gate, events } = state;
  const turn = await takeTurn(state, notes);
  if (turn && isOutcomeKey(turn)) return turn;
  if (!(await gate.enter())) return outcomeKey('VOD_UNAVAILABLE', 'busy');
  const started = performance.now();
  try {
    const answer = await inSpan('vod.set_cover', { 'vod_cover.video_file_id': cover.videoFileId }, async (span) => {
      const got = await vod.setCover({ ...cover, body: cover.bytes, ...(turn ? { turn } : {}) });
      span.setAttributes({
        'vod.code': got.code,
        'vod.attempts': got.attempts,
        ...(got.vodRequestId === undefined ? {} : { 'vod.request_id': got.vodRequestId }),
      });
      return got;
    });
    const result = answer.ok ? (answer.instant ? 'instant' : 'ok') : answer.canRetry ? 'retryable' : 'rejected';
    events.vodCalled?.({ result, durationMs: performance.now() - started, attempts: answer.attempts });
    return answer;
  } catch (error) {
    if (!(error instanceof VodTransportError)) throw error;
    const { code, message, canRetry, attempts } = error;
    events.vodCalled?.({ result: code, durationMs: performance.now() - started, attempts });
    return outcomeKey('VOD_UNAVAILABLE', 'transport', { transport: { code, message, canRetry }, attempts });
  } finally {
    gate.leave();
  }
}

/**
 * The first call's turn of the account's rate, within the VOD deadline (how long it waited is
 * told), else VOD_UNAVAILABLE with the reason (queue full, deadline); undefined without a rate.
 */
async function takeTurn(
  { budget, vodDeadlineMs, events }: SenderState,
  notes: SendNotes,
): Promise<CallTurn | OutcomeKey | undefined> {
  if (!budget) return undefined;
  try {
    // Its deadline as a number: a turn that would come later is known when reserved, no timer armed.
    const turn = await budget.take(undefined, vodDeadlineMs);
    notes.turnWaitMs = turn.waitedMs;
    events.turnTaken?.(turn.waitedMs);
    return turn;
  } catch (error) {
    if (!(error instanceof VodRateLimitedError)) throw error;
    events.turnRefused?.();
    return rateRefusal(error);
  }
}

/** An upload the account's call rate left no turn. */
export function rateRefusal(error: VodRateLimitedError): OutcomeKey {
  const { code, message, canRetry } = error;
  return outcomeKey('VOD_UNAVAILABLE', 'transport', { transport: { code, message, canRetry } });
}

/** VOD's refusal: for good (VOD_REJECTED), or for now (VOD_UNAVAILABLE, after the retries). */
function refusedBy(answer: SetCoverFailure): OutcomeKey {
  const { code, message, codeDesc, vodErrorCode, attempts, vodRequestId } = answer;
  const vod = { code, message, codeDesc, ...(vodErrorCode === undefined ? {} : { vodErrorCode }) };
  return outcomeKey(answer.canRetry ? 'VOD_UNAVAILABLE' : 'VOD_REJECTED', 'answer', { vod, attempts, vodRequestId });
}

/**
 * A success with the cover's shown size. Every path to a success here is for these very bytes
 * (single-flight and kept answers match the SHA-1), so the size read from them holds even for an
 * answer kept or claimed by a replica that did not record it.
 */
function withShownSize<T extends UploadCoverResult | OutcomeKey>(
  outcomes: Outcomes,
  result: T,
  { width, height, transformed }: CheckedCover,
): T | UploadCoverResult {
  return result.ok ? outcomes.success({ ...result, width, height, transformed }) : result;
}
