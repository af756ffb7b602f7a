/**
 * The outcome vocabulary: every way an upload can fail, one entry per reason (the schema's
 * `UploadErrorReason`). Each entry gives its cases: for each, the code (or where it comes from:
 * VOD's answer, a transport failure, an API 3.0 error class), the `canRetry` rule, when it
 * happens, and the message, with the texts built from the configured limits and the protocol's
 * constants. The rest of the upload path names a reason and a case, with the facts the message
 * needs; the schema's descriptions and the README's error table are rendered from here too.
 */
import { API3_ERROR_CLASSES, API3_OTHER_ERROR } from '../vod/api3/protocol.js';
import type { TransportErrorCode } from '../vod/errors.js';
import { FORBIDDEN_FILE_NAME_CHARS, MAX_FILE_NAME_LENGTH, VIDEO_FILE_ID_RULE } from '../vod/cover-rules.js';
import { VodCode } from '../vod/legacy/protocol.js';
import type { ImageKind } from './image-type.js';
import type { CoverMetadata } from '../image/cover-scan.js';

/** The configured limits the texts follow. */
export interface OutcomeLimits {
  /** Largest cover VOD gets, in bytes. */
  maxFileSize: number;
  /** Largest file accepted, in bytes: `maxFileSize`, or with fitting on the largest photo it takes. */
  maxInputFileSize: number;
  /** With fitting on, the longest side of a fitted cover. */
  fitMaxDimension?: number;
  /** Extensions accepted, for the API in use (and, with fitting on, those it converts from). */
  fileExtensions: readonly string[];
  /** Longest time an upload may take to arrive, in ms. */
  uploadDeadlineMs: number;
  /** Most VOD calls in flight at once. */
  maxConcurrentVodCalls: number;
  /** How long an Idempotency-Key's answer is kept, in ms. */
  idempotencyKeyTtlMs: number;
  /** Most pixels (width × height) a cover may declare. */
  maxPixels: number;
  /** What happens to a cover's metadata. */
  coverMetadata: CoverMetadata;
}

/** Codes of failures that never got a VOD answer: the gateway's own, below VOD's range. */
export const GATEWAY_CODES = {
  /** Too many uploads were already on their way to VOD; this one waited its bounded while. */
  GATEWAY_BUSY: -20006,
  /** The caller may not change this video's cover (scope or per-video rule); the file was not read. */
  FORBIDDEN: -20007,
  /** The shared ledger (replicas' single-flight) could not be reached; VOD was not called. */
  LEDGER_UNAVAILABLE: -20008,
  /** The Idempotency-Key was used for another upload; VOD was not called. */
  IDEMPOTENCY_KEY_REUSED: -20009,
  /** The image's header declares more pixels than accepted; nothing of it was decoded. */
  TOO_MANY_PIXELS: -20010,
  /** The file's structure cannot be read as the image its bytes start as. */
  IMAGE_UNREADABLE: -20011,
  /** Fitting (COVER_FIT=on): every place was taken for the bounded wait, or the transform ran out of time. */
  FIT_UNAVAILABLE: -20012,
} as const;

/**
 * The code of each transport failure (no VOD answer), and when it happens. A `Record` over the
 * errors' literal codes: a new error class without a gateway code does not type-check.
 */
export const TRANSPORT_FAILURES: Readonly<
  Record<TransportErrorCode, { code: number; canRetry: string; when: string }>
> = {
  VOD_TIMEOUT: { code: -20001, canRetry: 'true', when: 'no VOD answer in time' },
  VOD_CONNECTION: { code: -20002, canRetry: 'true', when: 'the connection to VOD failed or dropped' },
  VOD_HTTP_STATUS: {
    code: -20003,
    canRetry: 'true for 5xx/408/429, else false',
    when: 'VOD answered an HTTP status other than 200',
  },
  VOD_BAD_RESPONSE: { code: -20004, canRetry: 'true', when: 'VOD answered with a body that is not its JSON' },
  VOD_ABORTED: { code: -20005, canRetry: 'true', when: 'the VOD call was aborted before it ended' },
  VOD_RATE_LIMITED: {
    code: -20014,
    canRetry: 'true',
    when: "the account's VOD call rate (VOD_RATE_LIMIT) left no turn: too many calls wait theirs, or the turn comes after the deadline; nothing was sent",
  },
  VOD_CREDENTIALS: {
    code: -20013,
    canRetry: 'true',
    when: 'the credentials provider (or the credential files) failed and no valid credentials were kept',
  },
};

/** What VOD answered when it refused a cover (legacy: its own code; API 3.0: its class's code and its code string). */
export interface VodRefusal {
  code: number;
  message: string;
  codeDesc: string;
  vodErrorCode?: string;
}

/** The facts a case's message may need. */
export interface OutcomeFacts {
  /** INVALID_FILE_NAME: what is wrong with the name. */
  problem?: string | undefined;
  /** UNSUPPORTED_FILE_TYPE, CONTENT_MISMATCH: the extension the file was named with ('' for none). */
  extension?: string | undefined;
  /** CONTENT_MISMATCH: what the extension promises, and what the first bytes are (if any image kind of ours). */
  expectedKind?: ImageKind | undefined;
  detectedKind?: ImageKind | undefined;
  /** UPLOAD_ABORTED: a parser's words on an unreadable body; IMAGE_UNREADABLE: what could not be read. */
  detail?: string | undefined;
  /** TOO_MANY_PIXELS: the size the image declares. */
  declared?: { width: number; height: number } | undefined;
  /** UNSUPPORTED_IMAGE_FORMAT: what the file is. */
  format?: string | undefined;
  /** FORBIDDEN: the scope the token lacks; the video. */
  scope?: string | undefined;
  videoFileId?: string | undefined;
  /** VOD_REJECTED, VOD_UNAVAILABLE: VOD's answer. */
  vod?: VodRefusal | undefined;
  /** VOD_UNAVAILABLE: the transport failure. */
  transport?: { code: TransportErrorCode; message: string; canRetry: boolean } | undefined;
  /** Once VOD was called: its attempts, and its id of the request that answered (on the member, for logs). */
  attempts?: number | undefined;
  vodRequestId?: string | undefined;
}

/** One way a reason happens. `code` and `canRetry` are fixed, or come from VOD's answer or the transport failure. */
interface Case {
  code: number | 'vod' | 'transport';
  canRetry: boolean | 'transport';
  /** For the README's table. */
  when: (limits: OutcomeLimits) => string;
  message: (facts: OutcomeFacts, limits: OutcomeLimits) => string;
}

interface Entry {
  /** The enum value's description in the schema. */
  description: (limits: OutcomeLimits) => string;
  cases: Record<string, Case>;
}

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
const fixed = (text: string) => () => text;
const vodDetail = (facts: OutcomeFacts) =>
  [facts.vod?.message, facts.vod?.codeDesc].filter(Boolean).join(' / ') || 'no message';
const whoseCode = (facts: OutcomeFacts): number => facts.vod?.code ?? 0;

/** The vocabulary: reason → its cases, in the schema's (and the README's) order. */
const VOCABULARY = {
  FILE_TOO_LARGE: {
    description: (l) =>
      `The file is larger than ${bytes(l.maxInputFileSize)}, the largest file accepted (uploadLimits.maxFileSize).`,
    cases: {
      size: {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: (l) => `more than ${bytes(l.maxInputFileSize)} (reading stops right there)`,
        message: (_f, l) => `The file is larger than ${l.maxInputFileSize} bytes.`,
      },
    },
  },
  EMPTY_FILE: {
    description: () => 'The file has no bytes.',
    cases: {
      empty: {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: fixed('zero bytes'),
        message: () => 'The file is empty.',
      },
    },
  },
  INVALID_FILE_NAME: {
    description: () =>
      `The file name breaks VOD rules: at most ${MAX_FILE_NAME_LENGTH} characters without the extension, none of ${FORBIDDEN_FILE_NAME_CHARS.join(' ')} or control characters.`,
    cases: {
      rule: {
        code: VodCode.PROTOCOL_PARAMS,
        canRetry: false,
        when: fixed("the name breaks VOD's rules"),
        message: (f) => `The file name ${f.problem ?? 'breaks the rules'}.`,
      },
    },
  },
  UNSUPPORTED_FILE_TYPE: {
    description: (l) => `The file extension is not one of ${l.fileExtensions.join(', ')}.`,
    cases: {
      extension: {
        code: VodCode.PROTOCOL_PARAMS,
        canRetry: false,
        when: fixed('no extension, or not an accepted one'),
        message: (f, l) => {
          const shown = !f.extension ? 'no extension' : `the extension ".${[...f.extension].slice(0, 16).join('')}"`;
          return `The file has ${shown}; a cover must be one of ${l.fileExtensions.map((e) => `.${e}`).join(', ')}.`;
        },
      },
    },
  },
  CONTENT_MISMATCH: {
    description: () => "The file's bytes are not an image of the type its extension names.",
    cases: {
      bytes: {
        code: VodCode.PROTOCOL_PARAMS,
        canRetry: false,
        when: fixed('the bytes are not the image the extension names'),
        message: (f) =>
          `The file is named .${f.extension} but its bytes are ${f.detectedKind ? `a ${f.detectedKind} image` : `not a ${f.expectedKind} image`}.`,
      },
    },
  },
  TOO_MANY_PIXELS: {
    description: (l) =>
      `The image, or one of its frames or pages, declares more than ${l.maxPixels.toLocaleString('en-US')} pixels (width × height, uploadLimits.maxPixels); it is refused from its header, before anything is decoded.`,
    cases: {
      header: {
        code: GATEWAY_CODES.TOO_MANY_PIXELS,
        canRetry: false,
        when: (l) =>
          `the image's header declares more than ${l.maxPixels.toLocaleString('en-US')} pixels for the image, a frame or a page (reading stops right there)`,
        message: (f, l) =>
          `The image is ${f.declared?.width} × ${f.declared?.height} pixels; a cover may have at most ${l.maxPixels.toLocaleString('en-US')}.`,
      },
    },
  },
  IMAGE_UNREADABLE: {
    description: () =>
      'The file starts as an image of its type, but its structure (header, segments, chunks) cannot be read.',
    cases: {
      structure: {
        code: GATEWAY_CODES.IMAGE_UNREADABLE,
        canRetry: false,
        when: fixed(
          "the image's structure cannot be read or is one decoders refuse, it holds more scans, chunks, frames, pages or boxes than real encoders write, or it ends before its size or has no image",
        ),
        message: (f) => `The image cannot be read${f.detail ? `: ${f.detail}` : ''}.`,
      },
      decode: {
        code: GATEWAY_CODES.IMAGE_UNREADABLE,
        canRetry: false,
        when: fixed('fitting (COVER_FIT=on): the image cannot be decoded'),
        message: (f) => `The image cannot be decoded${f.detail ? ` (${f.detail})` : ''}.`,
      },
      'decoder-crashed': {
        code: GATEWAY_CODES.IMAGE_UNREADABLE,
        canRetry: false,
        when: fixed('fitting (COVER_FIT=on): the decoder died on the image'),
        message: () => 'The image cannot be decoded: the decoder stopped on it.',
      },
    },
  },
  UNSUPPORTED_IMAGE_FORMAT: {
    description: () =>
      'Fitting (COVER_FIT=on) cannot convert this format: HEIC (send JPEG or PNG), or BMP where the API in use does not take it.',
    cases: {
      heic: {
        code: VodCode.PROTOCOL_PARAMS,
        canRetry: false,
        when: fixed('fitting: a HEIC photo (its HEVC decoder is not part of this build)'),
        message: () =>
          'HEIC photos are not supported: send JPEG or PNG (on an iPhone, Settings › Camera › Formats › Most Compatible).',
      },
      'not-convertible': {
        code: VodCode.PROTOCOL_PARAMS,
        canRetry: false,
        when: fixed('fitting: a BMP the API in use does not take (no BMP decoder here)'),
        message: (f) => `${f.format ?? 'This'} images cannot be converted here: send JPEG or PNG.`,
      },
    },
  },
  COVER_CANNOT_FIT: {
    description: (l) =>
      `Fitting (COVER_FIT=on) found no JPEG or PNG of the image within ${bytes(l.maxFileSize)}, even at low quality and a smaller size.`,
    cases: {
      size: {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: (l) => `fitting: no encoding of the image fits in ${bytes(l.maxFileSize)}`,
        message: (_f, l) => `The image does not fit in ${l.maxFileSize} bytes, even at quality 40 and a smaller size.`,
      },
    },
  },
  FIT_UNAVAILABLE: {
    description: () => 'Fitting (COVER_FIT=on) could not run now: every place was taken, or it ran out of time.',
    cases: {
      busy: {
        code: GATEWAY_CODES.FIT_UNAVAILABLE,
        canRetry: true,
        when: fixed('fitting: every transform place was taken for the bounded wait'),
        message: () => 'Too many photos are being fitted; try again shortly.',
      },
      deadline: {
        code: GATEWAY_CODES.FIT_UNAVAILABLE,
        canRetry: true,
        when: fixed('fitting: the transform passed its deadline (its process was ended)'),
        message: () => 'Fitting the photo took too long; try again, or send a smaller one.',
      },
      held: {
        code: GATEWAY_CODES.FIT_UNAVAILABLE,
        canRetry: true,
        when: fixed('fitting: the large inputs already held reach maxHeldBytes; the file was not read'),
        message: () => 'Too many large photos are arriving at once; try again shortly.',
      },
      unavailable: {
        code: GATEWAY_CODES.FIT_UNAVAILABLE,
        canRetry: true,
        when: fixed('fitting: a fit process could not be started'),
        message: () => 'Fitting cannot run now; try again shortly.',
      },
    },
  },
  INVALID_FILE_ID: {
    description: () => `The video fileId is not ${VIDEO_FILE_ID_RULE}.`,
    cases: {
      rule: {
        code: VodCode.PROTOCOL_PARAMS,
        canRetry: false,
        when: fixed('the video fileId breaks the rule above'),
        message: () => `The video fileId is not ${VIDEO_FILE_ID_RULE}.`,
      },
    },
  },
  UPLOAD_ABORTED: {
    description: () => 'The upload stopped before the whole file arrived.',
    cases: {
      'cut-short': {
        code: VodCode.PACKET_SIZE,
        canRetry: true,
        when: fixed('the body ended before the whole file arrived'),
        message: () => 'The upload stopped before the whole file arrived.',
      },
      'file-deadline': {
        code: VodCode.PACKET_SIZE,
        canRetry: true,
        when: (l) => `the file did not arrive within uploadDeadlineMs (${l.uploadDeadlineMs} ms)`,
        message: (_f, l) => `The file did not arrive within ${l.uploadDeadlineMs} ms.`,
      },
      'request-deadline': {
        code: VodCode.PACKET_SIZE,
        canRetry: true,
        when: (l) => `the request after the file did not end within uploadDeadlineMs (${l.uploadDeadlineMs} ms)`,
        message: (_f, l) => `The request did not end within ${l.uploadDeadlineMs} ms.`,
      },
      'ended-before-part': {
        code: VodCode.PACKET_SIZE,
        canRetry: true,
        when: fixed('the request ended before the file part arrived'),
        message: () => 'The request ended before the file part arrived.',
      },
      'no-file-part': {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: fixed('the request holds no file part for the variable'),
        message: () => 'The request holds no file part for the `file` variable.',
      },
      unreadable: {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: fixed('the multipart body cannot be read'),
        message: (f) => `The request is not a multipart body that can be read${f.detail ? ` (${f.detail})` : ''}.`,
      },
      'not-read-further': {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: fixed('an earlier field of the request was refused, so this file part never arrives'),
        message: () =>
          'The request is no longer read: an earlier field of it was refused, so this file part never arrives.',
      },
      'client-gone': {
        code: VodCode.PACKET_SIZE,
        canRetry: true,
        when: fixed('the client closed the connection before the cover was sent (nothing was stored)'),
        message: () => 'The client went away before the cover was sent; nothing was stored.',
      },
      'refused-after-part': {
        code: VodCode.PACKET_SIZE,
        canRetry: false,
        when: fixed('the request was refused after the file part (an undeclared extra file)'),
        message: () => 'The request was refused after the file part (see the HTTP answer), so the cover was not sent.',
      },
    },
  },
  VOD_REJECTED: {
    description: () =>
      "VOD refused the cover; `code` is VOD's own (legacy) or its error class's (API 3.0, with vodErrorCode).",
    cases: {
      answer: {
        code: 'vod',
        canRetry: false,
        when: fixed('VOD answered with `canRetry: 0`'),
        message: (f) => `VOD rejected the cover (${vodDetail(f)}).`,
      },
    },
  },
  VOD_UNAVAILABLE: {
    description: () =>
      'VOD did not answer usefully (timeout, connection, HTTP error, unreadable answer, or a passing fault after retries).',
    cases: {
      answer: {
        code: 'vod',
        canRetry: true,
        when: fixed('VOD answered with `canRetry: 1`, on every attempt'),
        message: (f) => `VOD failed for now (${vodDetail(f)}).`,
      },
      transport: {
        code: 'transport',
        canRetry: 'transport',
        when: fixed('no VOD answer (see the transport codes)'),
        message: (f) => `VOD could not be reached: ${f.transport?.message ?? 'no answer'}.`,
      },
      busy: {
        code: GATEWAY_CODES.GATEWAY_BUSY,
        canRetry: true,
        when: (l) => `too many uploads already on their way to VOD (${l.maxConcurrentVodCalls}, after a bounded wait)`,
        message: (_f, l) => `Too many uploads are on their way to VOD (${l.maxConcurrentVodCalls}); try again shortly.`,
      },
    },
  },
  LEDGER_UNAVAILABLE: {
    description: () => 'The shared cover ledger (PostgreSQL) could not be reached, so the upload was not sent to VOD.',
    cases: {
      unreachable: {
        code: GATEWAY_CODES.LEDGER_UNAVAILABLE,
        canRetry: true,
        when: fixed(
          'the shared PostgreSQL ledger does not answer; nothing was sent to VOD (see "Running several replicas")',
        ),
        message: () => 'The shared cover ledger cannot be reached; nothing was sent to VOD. Try again shortly.',
      },
    },
  },
  FORBIDDEN: {
    description: () =>
      "The caller may not change this video's cover: its token lacks the scope, or the per-video rule refused.",
    cases: {
      scope: {
        code: GATEWAY_CODES.FORBIDDEN,
        canRetry: false,
        when: fixed('the token lacks the upload scope; the file is not read (see "Who may call")'),
        message: (f) => `The token does not grant the scope ${f.scope}, which changing a cover needs.`,
      },
      rule: {
        code: GATEWAY_CODES.FORBIDDEN,
        canRetry: false,
        when: fixed('the per-video rule (authorizeUpload) said no; the file is not read'),
        message: (f) => `You may not change the cover of video ${f.videoFileId}.`,
      },
      'rule-failed': {
        code: GATEWAY_CODES.FORBIDDEN,
        canRetry: true,
        when: fixed('the per-video rule threw (logged); the file is not read'),
        message: () => 'The authorization check failed; try again.',
      },
    },
  },
  IDEMPOTENCY_KEY_REUSED: {
    description: (l) =>
      `The Idempotency-Key was sent with another upload (another video or other bytes) within the last ${hours(l.idempotencyKeyTtlMs)}.`,
    cases: {
      reused: {
        code: GATEWAY_CODES.IDEMPOTENCY_KEY_REUSED,
        canRetry: false,
        when: (l) =>
          `the request's Idempotency-Key came with another upload (another video or other bytes) within ${hours(l.idempotencyKeyTtlMs)}; VOD is not called`,
        message: (_f, l) =>
          `The Idempotency-Key was sent with another upload (another video or other bytes) in the last ${hours(l.idempotencyKeyTtlMs)}; a new upload needs a new key.`,
      },
    },
  },
} as const satisfies Record<string, Entry>;

/** The VOD call's facts a member carries, those known. */
function vodCallFacts({ attempts, vodRequestId }: OutcomeFacts): Pick<OutcomeFacts, 'attempts' | 'vodRequestId'> {
  return {
    ...(attempts === undefined ? {} : { attempts }),
    ...(vodRequestId === undefined ? {} : { vodRequestId }),
  };
}

/** A time to live in words: whole hours, whole minutes, else seconds. */
function hours(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${ms / 1000} s`;
}

/** Why an upload failed: the `UploadErrorReason` enum of the schema. */
export type UploadErrorReason = keyof typeof VOCABULARY;
/** The cases of one reason. */
export type OutcomeCase<R extends UploadErrorReason> = keyof (typeof VOCABULARY)[R]['cases'] & string;
export const UPLOAD_ERROR_REASONS = Object.keys(VOCABULARY) as UploadErrorReason[];

/**
 * A failure as a stage of the upload names it: its reason and case, with the facts its message
 * needs beside them. The uploader turns it into the error member in one place.
 */
export type OutcomeKey = {
  [R in UploadErrorReason]: { ok: false; reason: R; case: OutcomeCase<R> } & OutcomeFacts;
}[UploadErrorReason];

/** Names a failure: `facts` (any object holding them) with the reason and case on top. */
export function outcomeKey<R extends UploadErrorReason>(
  reason: R,
  which: OutcomeCase<R>,
  facts: OutcomeFacts = {},
): OutcomeKey {
  return { ...facts, ok: false, reason, case: which } as OutcomeKey;
}

/** Whether `value` is a failure still to be answered (an error member has no `case`). */
export function isOutcomeKey(value: object): value is OutcomeKey {
  return (value as { ok?: unknown }).ok === false && 'case' in value;
}

/** The success member of the result union. */
export interface UploadCoverSuccess {
  ok: true;
  /** VOD's code: 0, or 2 when it already had these bytes (for logs; not in the schema). */
  code: 0 | 2;
  /** The cover's fileId, as VOD returned it. */
  fileId: string;
  url: string;
  videoFileId: string;
  sha1: string;
  size: number;
  /** As the cover shows (its EXIF orientation applied), from its header. */
  width: number;
  height: number;
  /** True when the pixels were re-encoded (fitting); false when VOD got the file's own (metadata aside). */
  transformed: boolean;
  instant: boolean;
  /** VOD attempts it took (for logs; not in the schema). */
  attempts?: number | undefined;
  /** VOD's id of the request that answered (API 3.0's RequestId; for logs). */
  vodRequestId?: string | undefined;
}

/** The error member of the result union. */
export interface UploadCoverError {
  ok: false;
  code: number;
  message: string;
  canRetry: boolean;
  reason: UploadErrorReason;
  /** API 3.0's error code, when VOD answered with one. */
  vodErrorCode?: string | undefined;
  /** VOD attempts made, when VOD was called (for logs; not in the schema). */
  attempts?: number | undefined;
  /** VOD's id of the request that answered (API 3.0's RequestId), for its support. */
  vodRequestId?: string | undefined;
}

/** The vocabulary with its texts built from one gateway's limits. */
export interface Outcomes {
  readonly limits: OutcomeLimits;
  /** The error member of `reason`'s `case`. */
  error<R extends UploadErrorReason>(reason: R, which: OutcomeCase<R>, facts?: OutcomeFacts): UploadCoverError;
  /** The error member a stage's {@link OutcomeKey} names. */
  fail(key: OutcomeKey): UploadCoverError;
  /** The success member, from VOD's answer and the cover's facts. */
  success(facts: Omit<UploadCoverSuccess, 'ok'>): UploadCoverSuccess;
  /** The cases of a reason. */
  casesOf<R extends UploadErrorReason>(reason: R): OutcomeCase<R>[];
  /** The schema's description of each reason. */
  descriptions(): Record<UploadErrorReason, string>;
  /** The README's error table: one row per case (transport failures and API 3.0 classes one each). */
  table(): string;
}

export function createOutcomes(limits: OutcomeLimits): Outcomes {
  const error = (reason: UploadErrorReason, which: string, facts: OutcomeFacts = {}) =>
    errorMember(limits, reason, which, facts);
  return {
    limits,
    error,
    fail: (key) => error(key.reason, key.case, key),
    success: ({ attempts, vodRequestId, ...facts }) => ({
      ok: true,
      ...facts,
      ...vodCallFacts({ attempts, vodRequestId }),
    }),
    casesOf: (reason) => Object.keys(VOCABULARY[reason].cases) as never,
    descriptions() {
      return Object.fromEntries(
        Object.entries(VOCABULARY).map(([reason, entry]) => [reason, entry.description(limits)]),
      ) as Record<UploadErrorReason, string>;
    },
    table: () => errorTable(limits),
  };
}

/** The error member of `reason`'s case `which`: its code and `canRetry` fixed, or from VOD or the transport. */
function errorMember(
  limits: OutcomeLimits,
  reason: UploadErrorReason,
  which: string,
  facts: OutcomeFacts,
): UploadCoverError {
  const entry = (VOCABULARY[reason].cases as Record<string, Case>)[which]!;
  const code =
    entry.code === 'vod'
      ? whoseCode(facts)
      : entry.code === 'transport'
        ? TRANSPORT_FAILURES[facts.transport!.code].code
        : entry.code;
  const canRetry = entry.canRetry === 'transport' ? facts.transport!.canRetry : entry.canRetry;
  return {
    ok: false,
    code,
    message: entry.message(facts, limits),
    canRetry,
    reason,
    ...(facts.vod?.vodErrorCode === undefined ? {} : { vodErrorCode: facts.vod.vodErrorCode }),
    ...vodCallFacts(facts),
  };
}

/** The README's error table: one row per case, transport failures and API 3.0 classes one each. */
function errorTable(limits: OutcomeLimits): string {
  const rows: string[] = ['| `reason` | `code` | `canRetry` | when |', '|---|---|---|---|'];
  const row = (reason: string, code: number | string, canRetry: boolean | string, when: string) =>
    rows.push(`| \`${reason}\` | ${code} | ${canRetry} | ${when} |`);
  for (const [reason, entry] of Object.entries(VOCABULARY) as [UploadErrorReason, Entry][]) {
    for (const c of Object.values(entry.cases)) {
      if (c.code === 'transport') {
        for (const failure of Object.values(TRANSPORT_FAILURES))
          row(reason, failure.code, failure.canRetry, failure.when);
      } else if (c.code === 'vod') {
        row(reason, "VOD's own (legacy API)", c.canRetry, c.when(limits));
        // API 3.0 answers carry their class's code; the class says whether it is retried.
        const classes = [...API3_ERROR_CLASSES, { prefix: '', ...API3_OTHER_ERROR }].filter(
          (k) => k.canRetry === c.canRetry,
        );
        for (const k of classes) {
          const which =
            k.prefix === ''
              ? 'any other API 3.0 class (`FailedOperation`, `InvalidAction`, …)'
              : `API 3.0 \`${k.prefix}\``;
          row(
            reason,
            k.code,
            c.canRetry,
            `${which}${k.canRetry ? ', after its retries' : ''}; \`vodErrorCode\` holds its code`,
          );
        }
      } else {
        row(reason, c.code, c.canRetry, c.when(limits));
      }
    }
  }
  return rows.join('\n');
}
