import type { LedgerEvents } from '../ledger/retrying-cover-store.js';
import type { UploadEvent, UploadEvents } from '../upload/upload-events.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * What the gateway tells an operator of its uploads, its ledger and its routes: one log line per
 * upload and the metrics, the ledger's troubles, a rule or a route that threw. The parts call
 * these; only this file knows the log lines and the counters.
 */
export interface UploadObserver extends Required<UploadEvents>, Required<LedgerEvents> {
  /** `authorizeUpload` threw (the upload is refused with canRetry). */
  ruleFailed(error: unknown): void;
  /** A route outside Yoga threw (answered 500). */
  routeFailed(error: unknown, url: string | undefined): void;
}

export function createUploadObserver(metrics: GatewayMetrics, logger: Logger | undefined): UploadObserver {
  return {
    uploadStarted: () => metrics.uploadsInFlight.inc(),
    uploadDone(event) {
      metrics.uploadsInFlight.dec();
      const { result } = event;
      metrics.uploads.inc({ outcome: result.ok ? 'success' : 'error', reason: result.ok ? 'none' : result.reason });
      metrics.bytesReceived.inc(event.bytesRead);
      if (event.size !== undefined) metrics.uploadSize.observe(event.size);
      logger?.info(uploadLine(event), 'upload');
    },
    turnTaken: (waitedMs) => metrics.vodTurnWait.observe(waitedMs / 1000),
    turnRefused: () => metrics.vodTurnsRefused.inc(),
    vodCalled(call) {
      metrics.vodCallDuration.observe({ result: call.result }, call.durationMs / 1000);
      if (call.attempts > 1) metrics.vodRetries.inc(call.attempts - 1);
    },
    joined: () => metrics.singleFlightJoins.inc(),
    claimsUnreachable: (error) =>
      logger?.error(
        { err: error },
        'cover ledger: the shared single-flight cannot be reached; the upload is refused with canRetry',
      ),
    recordLost: (error) => logger?.error({ err: error }, 'cover ledger: a successful upload was not recorded'),
    ruleFailed: (error) => logger?.error({ err: error }, 'authorizeUpload threw; the upload is refused with canRetry'),
    ledgerPending: (pending) => metrics.ledgerPending.set(pending),
    ledgerWriteFailed(error, pending) {
      metrics.ledgerWriteFailures.inc();
      logger?.error(
        { err: error, pending },
        'cover ledger: a write failed; the record is held and written again (see /ready)',
      );
    },
    ledgerRecovered: (written) =>
      logger?.warn({ written }, 'cover ledger: writes work again; every held record is written'),
    ledgerDropped(record) {
      metrics.ledgerDropped.inc();
      logger?.error(
        { record },
        'cover ledger: a record could not be written and is given up; replay it from this line',
      );
    },
    routeFailed(error, url) {
      // A bug of ours in a route outside Yoga: a log line, and the caller answers 500.
      if (logger) logger.error({ err: error, url }, 'request: unexpected error');
      else console.error(error);
    },
  };
}

/** The log line of one answered upload. */
function uploadLine(event: UploadEvent): Record<string, unknown> {
  const { result } = event;
  return {
    requestId: event.requestId,
    videoFileId: event.videoFileId,
    size: event.size ?? event.bytesRead,
    sha1: event.sha1,
    outcome: result.ok ? 'success' : 'error',
    reason: result.ok ? undefined : result.reason,
    vodCode: result.code,
    instant: result.ok ? result.instant : undefined,
    attempts: result.attempts ?? 0,
    vodRequestId: result.vodRequestId,
    // Its wait for a turn of the account's VOD call rate, when it took one.
    turnWaitMs: event.turnWaitMs === undefined ? undefined : Math.round(event.turnWaitMs),
    durationMs: Math.round(event.durationMs * 10) / 10,
  };
}
