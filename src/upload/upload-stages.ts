/**
 * The stages of one upload before VOD, in the order it meets them: the caller, the file part, its
 * size, its bytes, the rest of the request. Each gives its result, or the outcome key of the
 * failure it found with that failure's facts; the uploader answers the key (see upload-cover.ts).
 */
import { discardUpload, openUpload, type OpenedUpload } from '../multipart/upload-value.js';
import { isValidVideoFileId } from '../vod/cover-rules.js';
import { kindOfExtension, type ImageExtension } from './image-type.js';
import { outcomeKey, type OutcomeKey } from './outcomes.js';
import { readUpload, stoppedOutcome, type ReadUploadDone } from './read-upload.js';
import { inSpan } from './spans.js';
import { rateRefusal } from './send-cover.js';
import type { UploadRun, UploadSetup } from './upload-run.js';

/** Stops reading the request (the rest of its body is unwanted) and passes `key` on. */
export function refuseUnread(run: UploadRun, key: OutcomeKey, opened?: OpenedUpload): OutcomeKey {
  run.input.request?.stopReading();
  if (opened) discardUpload(opened);
  return key;
}

/** The video fileId, then whether this caller may change its cover: both before the file is read. */
export async function checkCaller(run: UploadRun): Promise<OutcomeKey | undefined> {
  const { videoFileId, authorize } = run.input;
  if (!isValidVideoFileId(videoFileId)) return outcomeKey('INVALID_FILE_ID', 'rule');
  const refusal = await authorize?.(videoFileId);
  if (!refusal) return undefined;
  // The policy's `why` is the FORBIDDEN case; its facts (the scope, the video) come with it.
  const { why, ...facts } = refusal;
  return outcomeKey('FORBIDDEN', why, facts);
}

/**
 * Whether the account's VOD call rate has room to queue this upload's call: when as many calls as
 * its queue holds already wait their turn, the upload is refused before its file is read.
 */
export function checkTurnQueue({ budget }: UploadSetup): OutcomeKey | undefined {
  const refused = budget?.refusalNow();
  return refused ? rateRefusal(refused) : undefined;
}

/** The file part, once it arrives within the deadline and while the request is still read. */
export async function openPart(run: UploadRun): Promise<OpenedUpload | OutcomeKey> {
  const { file, request } = run.input;
  try {
    return await untilAborted(openUpload(file), run.deadline, request?.stopped);
  } catch (error) {
    if (run.deadline.aborted) return refuseUnread(run, outcomeKey('UPLOAD_ABORTED', 'file-deadline'));
    if (request?.stopped.aborted) return outcomeKey('UPLOAD_ABORTED', 'not-read-further');
    return partMissing(error);
  }
}

/**
 * Why the file part never came. graphql-upload-minimal rejects with status 400 when the request
 * names a part it does not hold, 499 when the client went away; busboy's own errors say
 * "Unexpected end of form" for a body cut short, anything else for one it cannot read. Only a
 * request cut short is worth sending again.
 */
function partMissing(error: unknown): OutcomeKey {
  const { status, message = '' } = error as { status?: unknown; message?: string };
  if (status === 499 || /unexpected end/i.test(message)) return outcomeKey('UPLOAD_ABORTED', 'ended-before-part');
  if (status === 400) return outcomeKey('UPLOAD_ABORTED', 'no-file-part');
  return outcomeKey('UPLOAD_ABORTED', 'unreadable', message ? { detail: message } : {});
}

/**
 * Refuses a file known to be too large before it is read; with fitting, counts one that may be
 * larger than a cover against the inputs held at once (at its largest possible size).
 */
export function admitSize(setup: UploadSetup, run: UploadRun, opened: OpenedUpload): OutcomeKey | undefined {
  const { request } = run.input;
  // Known before reading: a File's size, or at least what the request's length leaves for the file.
  const smallestPossible = opened.size ?? request?.leastFileSize ?? 0;
  if (smallestPossible > setup.maxInputSize) return outcomeKey('FILE_TOO_LARGE', 'size');
  const largestPossible = opened.size ?? request?.declaredSize ?? setup.maxInputSize;
  if (!setup.fitter || largestPossible <= setup.maxFileSize) return undefined;
  run.releaseHeld = setup.fitter.admit(largestPossible);
  return run.releaseHeld ? undefined : outcomeKey('FIT_UNAVAILABLE', 'held');
}

/** The file's bytes, streamed, hashed and checked against the kind its extension promises. */
export async function readFile(
  setup: UploadSetup,
  run: UploadRun,
  opened: OpenedUpload,
  extension: ImageExtension,
): Promise<ReadUploadDone | OutcomeKey> {
  const expectedKind = kindOfExtension(extension);
  const attributes = { 'vod_cover.video_file_id': run.input.videoFileId };
  const read = await inSpan('cover.read', attributes, async (span) => {
    const result = await readUpload(opened.stream, {
      expectedKind,
      maxBytes: setup.maxInputSize,
      sizeHint: opened.size ?? run.input.request?.declaredSize,
      signal: run.deadline,
      buffers: setup.buffers,
      metadata: setup.coverMetadata,
      maxPixels: setup.maxPixels,
    });
    span.setAttribute('vod_cover.bytes_read', result.ok ? result.bytesReceived : result.bytesRead);
    return result;
  });
  run.facts.bytesRead = read.ok ? read.bytesReceived : read.bytesRead;
  if (read.ok) return read;
  const key = stoppedOutcome(read, { extension, expectedKind });
  // An empty file was read to its end; any other stop leaves the rest of the request unwanted.
  return read.reason === 'EMPTY_FILE' ? key : refuseUnread(run, key);
}

/** Refuses a cover whose request turned out unacceptable after its file, or whose client has gone. */
export async function checkRequestEnd(run: UploadRun): Promise<OutcomeKey | undefined> {
  const { request, signal } = run.input;
  // A part after the file may still make the request unacceptable (an undeclared extra file).
  if (request && !(await untilAborted(request.bodyAccepted, run.deadline).catch(() => false))) {
    return outcomeKey('UPLOAD_ABORTED', run.deadline.aborted ? 'request-deadline' : 'refused-after-part');
  }
  return signal?.aborted ? outcomeKey('UPLOAD_ABORTED', 'client-gone') : undefined;
}

/** `promise`, or a rejection as soon as any of the signals aborts. */
function untilAborted<T>(promise: Promise<T>, ...signals: (AbortSignal | undefined)[]): Promise<T> {
  const aborted = signals.find((signal) => signal?.aborted);
  if (aborted) return Promise.reject(aborted.reason);
  return new Promise((resolve, reject) => {
    const onAbort = function (this: AbortSignal) {
      reject(this.reason);
    };
    for (const signal of signals) signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      for (const signal of signals) signal?.removeEventListener('abort', onAbort);
    });
  });
}
