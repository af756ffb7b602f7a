import type { UploadRefusal } from '../auth/upload-policy.js';
import type { CoverMetadata } from '../image/cover-scan.js';
import type { UploadRequest } from '../multipart/upload-request.js';
import type { UploadValue } from '../multipart/upload-value.js';
import type { VodCallBudget } from '../vod/call-budget.js';
import type { CoverType } from '../vod/cover-rules.js';
import type { BufferPool } from './buffer-pool.js';
import type { CoverFitter } from './cover-fit.js';
import type { ImageExtension } from './image-type.js';
import type { Outcomes } from './outcomes.js';
import type { CoverSender } from './send-cover.js';
import type { UploadEvents } from './upload-events.js';

/** What one `uploadVideoCover` call gives the uploader. */
export interface UploadCoverInput {
  /** The HTTP request's id, for logs. */
  requestId?: string;
  videoFileId: string;
  file: UploadValue;
  /**
   * The HTTP request it arrives in, when the transport streams it: its declared size, a way to stop
   * reading it when the file is refused before its end (so the rest of a huge or unwanted body is
   * never read), and whether the whole body was accepted.
   */
  request?: UploadRequest;
  /** Decides, before the file is read, whether this caller may change this video's cover. */
  authorize?: (videoFileId: string) => Promise<UploadRefusal | undefined>;
  /** The request's Idempotency-Key: a retry of an answered upload gets that answer again. */
  idempotencyKey?: string;
  /**
   * Aborts when the client has gone (its connection closed before the answer): work queued or
   * running for the upload stops, and nothing is sent to VOD that has not been already.
   */
  signal?: AbortSignal;
}

/** What an uploader holds for every upload: its limits as applied, its fitter, its sender. */
export interface UploadSetup {
  /** Largest cover VOD gets, in bytes. */
  maxFileSize: number;
  /** Largest file read: `maxFileSize`, or with fitting on the largest photo it takes. */
  maxInputSize: number;
  /** Extensions VOD takes here. */
  fileExtensions: readonly CoverType[];
  /** Extensions a file may be named with: those, and with fitting on those it converts or advises on. */
  namedExtensions: readonly ImageExtension[];
  coverMetadata: CoverMetadata;
  maxPixels: number;
  uploadDeadlineMs: number;
  fitter: CoverFitter | undefined;
  sender: CoverSender;
  /** The account's VOD call rate: an upload whose call would find its queue full is refused unread. */
  budget: VodCallBudget | undefined;
  /** Files are read into reused buffers (see buffer-pool.ts). */
  buffers: BufferPool;
  outcomes: Outcomes;
  events: UploadEvents;
}

/** One upload on its way through the stages: its input, its deadline, what is known and held. */
export interface UploadRun {
  readonly input: UploadCoverInput;
  /** Aborts when the file, and the request after it, did not arrive within `uploadDeadlineMs`. */
  readonly deadline: AbortSignal;
  /** What its log line tells of the file: bytes read, and once read whole its size and SHA-1. */
  readonly facts: { bytesRead: number; size?: number; sha1?: string; turnWaitMs?: number | undefined };
  /** Gives back the input's place in fitting's held bytes (see CoverFitter.admit), while it has one. */
  releaseHeld?: (() => void) | undefined;
}
