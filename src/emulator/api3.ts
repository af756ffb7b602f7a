import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { API3_ACTION, API3_CLOCK_SKEW_SECONDS, API3_SERVICE, API3_VERSION } from '../vod/api3/protocol.js';
import { parseTc3Authorization, sameSignature, tc3Date, tc3Signature } from '../vod/api3/sign.js';
import { VIDEO_FILE_ID_PATTERN } from '../vod/cover-rules.js';
import { type Answer, json } from './answer.js';
import type { EmulatorCall } from './calls.js';
import type { ProtocolSide } from './serve-call.js';
import type { CoverStore } from './store.js';

/** What the API 3.0 side needs from the emulator it runs in. */
export interface Api3Context {
  /** SecretId → SecretKey. */
  secretKeys: ReadonlyMap<string, string>;
  covers(): CoverStore;
  now(): number;
  /** Largest |X-TC-Timestamp − server time| accepted, in seconds. */
  clockSkewSeconds?: number;
}

/** Largest request body read: a 1 MiB cover in base64 and the JSON around it. */
const MAX_BODY_BYTES = 1_500_000;

/**
 * ModifyMediaInfo as API 3.0 answers it, for covers: TC3-HMAC-SHA256 checked against the body
 * actually sent, the timestamp within 5 minutes, the CoverData a gif, jpeg or png; the cover is
 * stored for the video and served at its CoverUrl.
 */
export function api3Side(ctx: Api3Context): ProtocolSide<undefined> {
  return {
    prepare: () => ({ prepared: undefined, keep: MAX_BODY_BYTES, cap: MAX_BODY_BYTES }),
    noteBody: (body, call) => recordWhatItSends(call, body.bytes),
    faultAnswer(fault) {
      const message = fault.message ?? 'fault injected by the emulator';
      if (fault.kind === 'api3-error') return error(fault.code, message);
      return error(fault.canRetry === 1 ? 'InternalError' : 'FailedOperation', message);
    },
    rateLimited: () => error('RequestLimitExceeded', 'The number of requests exceeds the frequency limit.'),
    maxBody: MAX_BODY_BYTES,
    process(req, body, _prepared, call) {
      if (body.overflow) return error('InvalidParameterValue.CoverData', 'The request body is too large.');
      const outcome = check(req, body.bytes, call, ctx);
      return 'error' in outcome ? error(outcome.error[0], outcome.error[1]) : success(outcome.coverUrl, outcome.again);
    },
  };
}

type Refusal = { error: readonly [code: string, message: string] };
type Outcome = { coverUrl: string; again: boolean } | Refusal;
/** A request header as one string ('' when absent). */
type HeaderOf = (name: string) => string;

/** Verifies the request and stores the cover. */
function check(req: IncomingMessage, bytes: Buffer, call: EmulatorCall, ctx: Api3Context): Outcome {
  const header: HeaderOf = (name) => String(req.headers[name] ?? '');
  const refusal = checkSignature(header, bytes, ctx);
  if (refusal) return refusal;
  if (header('x-tc-action') !== API3_ACTION)
    return { error: ['InvalidAction', `The action ${header('x-tc-action')} is not served here.`] };
  if (header('x-tc-version') !== API3_VERSION)
    return { error: ['NoSuchVersion', `The version ${header('x-tc-version')} does not exist.`] };
  return storeCover(bytes, call, ctx);
}

/** TC3-HMAC-SHA256: a known SecretId, a fresh timestamp, the right scope, the body's signature. */
function checkSignature(header: HeaderOf, bytes: Buffer, ctx: Api3Context): Refusal | undefined {
  const auth = parseTc3Authorization(header('authorization'));
  if (!auth) return { error: ['AuthFailure.InvalidAuthorization', 'The Authorization header is not TC3-HMAC-SHA256.'] };
  const secretKey = ctx.secretKeys.get(auth.secretId);
  if (secretKey === undefined) return { error: ['AuthFailure.SecretIdNotFound', 'The SecretId does not exist.'] };
  const timestamp = Number(header('x-tc-timestamp'));
  if (!Number.isSafeInteger(timestamp)) return { error: ['MissingParameter', 'X-TC-Timestamp is missing.'] };
  if (Math.abs(timestamp - Math.floor(ctx.now() / 1000)) > (ctx.clockSkewSeconds ?? API3_CLOCK_SKEW_SECONDS)) {
    return {
      error: [
        'AuthFailure.SignatureExpire',
        'The signature expired: X-TC-Timestamp is more than 5 minutes from the server time.',
      ],
    };
  }
  // Signed without the port, as the vendor's SDK signs it. The SDK names the service after the
  // first label of the host it was given ("127" for 127.0.0.1), the vendor's own hosts say "vod".
  const host = header('host').replace(/:\d+$/, '');
  if (
    auth.date !== tc3Date(timestamp) ||
    (auth.service !== API3_SERVICE && auth.service !== host.split('.')[0]) ||
    auth.signedHeaders !== 'content-type;host'
  ) {
    return { error: ['AuthFailure.SignatureFailure', 'The credential scope does not match the request.'] };
  }
  const expected = tc3Signature(secretKey, {
    host,
    contentType: header('content-type'),
    payload: bytes,
    timestamp,
    service: auth.service,
  });
  if (!sameSignature(expected, auth.signature))
    return { error: ['AuthFailure.SignatureFailure', 'The provided credentials could not be validated.'] };
  return undefined;
}

/** Checks the JSON parameters and stores the cover for the video (or finds these bytes stored). */
function storeCover(bytes: Buffer, call: EmulatorCall, ctx: Api3Context): Outcome {
  let params: { FileId?: unknown; CoverData?: unknown; SubAppId?: unknown };
  try {
    params = JSON.parse(bytes.toString('utf8')) as typeof params;
  } catch {
    return { error: ['InvalidParameter', 'The body is not JSON.'] };
  }
  if (typeof params.FileId !== 'string' || !VIDEO_FILE_ID_PATTERN.test(params.FileId))
    return { error: ['InvalidParameterValue.FileId', 'FileId is not a valid media id.'] };
  call.videoFileId = params.FileId;
  if (params.SubAppId !== undefined && !(Number.isSafeInteger(params.SubAppId) && (params.SubAppId as number) > 0)) {
    return { error: ['InvalidParameterValue.SubAppId', 'SubAppId is not a valid sub-application id.'] };
  }
  if (typeof params.CoverData !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(params.CoverData))
    return { error: ['InvalidParameterValue.CoverData', 'CoverData is not base64.'] };
  const cover = Buffer.from(params.CoverData, 'base64');
  const type = imageTypeOf(cover);
  if (!type) return { error: ['InvalidParameterValue.CoverData', 'CoverData must be a gif, jpeg or png image.'] };
  const sha1 = createHash('sha1').update(cover).digest('hex');
  call.sha1 = sha1;
  const store = ctx.covers();
  const existing = store.get(params.FileId, sha1);
  // The call record says 2, as the legacy side's answer would, when these bytes were already set.
  const stored =
    existing ?? store.add({ videoFileId: params.FileId, fileName: 'cover', fileType: type, sha1, bytes: cover });
  return { coverUrl: stored.url, again: existing !== undefined };
}

/** The video and the cover's SHA-1 in the call record, as far as the body says (faults skip the checks). */
function recordWhatItSends(call: EmulatorCall, bytes: Buffer): void {
  try {
    const { FileId, CoverData } = JSON.parse(bytes.toString('utf8')) as { FileId?: unknown; CoverData?: unknown };
    if (typeof FileId === 'string') call.videoFileId = FileId;
    if (typeof CoverData === 'string')
      call.sha1 = createHash('sha1').update(Buffer.from(CoverData, 'base64')).digest('hex');
  } catch {
    // Not JSON: the checks say so.
  }
}

/** gif, jpg or png by their magic bytes. */
function imageTypeOf(bytes: Buffer): 'gif' | 'jpg' | 'png' | undefined {
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return undefined;
}

function success(coverUrl: string, again: boolean): Answer {
  // The call record says 2, as the legacy side's answer would, when these bytes were already set.
  return json({ Response: { CoverUrl: coverUrl, RequestId: randomUUID() } }, { code: again ? 2 : 0 });
}

function error(code: string, message: string): Answer {
  return json(
    { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } },
    { code: -1, why: code },
  );
}
