import { createClientOnSkeleton, type SignedRequest, type VodApiSpeech } from '../client-skeleton.js';
import { VodBadResponseError } from '../errors.js';
import { API3_OPTION_RULES, requireOption } from '../option-rules.js';
import { redactSecrets } from '../redact.js';
import type { OwnedVodClient, SetCoverInput, VodAnswer, VodClientBaseOptions, VodCredentials } from '../vod-client.js';
import {
  API3_ACTION,
  API3_CONTENT_TYPE,
  API3_SERVICE,
  API3_VERSION,
  DEFAULT_API3_BASE_URL,
  classifyApi3Error,
} from './protocol.js';
import { tc3Authorization } from './sign.js';

/**
 * Options of {@link createApi3VodClient}: credentials, the endpoint, the sub-application, and the
 * transport's pool, timeouts and retries.
 */
export interface Api3VodClientOptions extends VodClientBaseOptions {
  /**
   * Scheme, host and optional port of the API 3.0 endpoint.
   * @default 'https://vod.tencentcloudapi.com'
   */
  baseUrl?: string;
  /**
   * The account's sub-application (`SubAppId`), when it uses them.
   * @default undefined (the primary application)
   */
  subAppId?: number;
  /**
   * `X-TC-Region`; VOD is not regional, so it is sent only when set.
   * @default undefined
   */
  region?: string;
}

/**
 * A VOD client for API 3.0: a cover is set with ModifyMediaInfo on the video (`CoverData`, base64),
 * signed with TC3-HMAC-SHA256. A cover has no id of its own, so a success's `fileId` is the video's;
 * an error's `code` is a gateway code of its class (protocol.ts) and `vodErrorCode` the vendor's
 * code. Credentials, transport, retries and rotation are the skeleton's (../client-skeleton.ts),
 * as for the legacy API.
 *
 * @example
 * await using vod = createApi3VodClient({ secretId, secretKey, baseUrl: emulator.url });
 */
export function createApi3VodClient(options: Api3VodClientOptions): OwnedVodClient {
  return createClientOnSkeleton('createApi3VodClient', options, DEFAULT_API3_BASE_URL, (origin) =>
    api3Speech(origin, options),
  );
}

/** What API 3.0 signs every attempt with, its options checked. */
interface Tc3Signing {
  /** Sent in `Host`, with its port. */
  host: string;
  /** The vendor's SDK signs the host name without its port (sent in Host all the same); so do we. */
  signedHost: string;
  region: string | undefined;
  now: () => number;
}

/** API 3.0's part of the client: the JSON payload made once, a TC3 signature per attempt, `Response`'s reader. */
function api3Speech(origin: URL, options: Api3VodClientOptions): VodApiSpeech<string> {
  const { subAppId, region, now = Date.now } = options;
  if (subAppId !== undefined && !(Number.isSafeInteger(subAppId) && subAppId > 0))
    throw new TypeError('createApi3VodClient: option "subAppId" must be a positive whole number');
  requireOption('createApi3VodClient', 'region', API3_OPTION_RULES.region, region);
  requireOption('createApi3VodClient', 'baseUrl', API3_OPTION_RULES.baseUrl, origin.origin);
  const signing: Tc3Signing = { host: origin.host, signedHost: origin.hostname, region, now };
  return {
    prepare: (input) => api3Payload(input, subAppId),
    sign: (input, payload, credentials) => signedModifyMediaInfo(signing, input, payload, credentials),
    parse: (text, input, secrets) => parseApi3Answer(text, input.videoFileId, secrets),
    refusesSignature: (failure) => failure.vodErrorCode?.startsWith('AuthFailure.') === true,
  };
}

/** ModifyMediaInfo's JSON: the cover as base64, built once and sent by every attempt. */
function api3Payload(input: SetCoverInput, subAppId: number | undefined): string {
  const bytes = Array.isArray(input.body)
    ? Buffer.concat(input.body as readonly Uint8Array[])
    : Buffer.from(
        (input.body as Uint8Array).buffer,
        (input.body as Uint8Array).byteOffset,
        (input.body as Uint8Array).byteLength,
      );
  return JSON.stringify({
    FileId: input.videoFileId,
    CoverData: bytes.toString('base64'),
    ...(subAppId === undefined ? {} : { SubAppId: subAppId }),
  });
}

/** One attempt's request, signed afresh: the timestamp must be current. */
function signedModifyMediaInfo(
  signing: Tc3Signing,
  input: SetCoverInput,
  payload: string,
  credentials: VodCredentials,
): SignedRequest {
  const { secretId, secretKey, token } = credentials;
  const timestamp = Math.floor(signing.now() / 1000);
  const authorization = tc3Authorization(secretId, secretKey, {
    host: signing.signedHost,
    contentType: API3_CONTENT_TYPE,
    payload,
    timestamp,
    service: API3_SERVICE,
  });
  const headers = {
    host: signing.host,
    'content-type': API3_CONTENT_TYPE,
    'x-tc-action': API3_ACTION,
    'x-tc-version': API3_VERSION,
    'x-tc-timestamp': String(timestamp),
    ...(signing.region === undefined ? {} : { 'x-tc-region': signing.region }),
    ...(token === undefined ? {} : { 'x-tc-token': token }),
    ...(input.requestId === undefined ? {} : { 'x-request-id': input.requestId }),
    authorization,
  };
  return {
    request: { path: '/', headers, body: payload },
    secrets: [/Signature=([0-9a-f]+)$/.exec(authorization)?.[1], token],
  };
}

/** Reads `{"Response": {...}}`: a CoverUrl, or an Error with its code and message. */
export function parseApi3Answer(
  text: string,
  videoFileId: string,
  secrets: readonly (string | undefined)[] = [],
): VodAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new VodBadResponseError('not JSON');
  }
  const response = (body as { Response?: unknown } | null)?.Response;
  if (typeof response !== 'object' || response === null) throw new VodBadResponseError('no "Response" object');
  const {
    Error: error,
    CoverUrl: coverUrl,
    RequestId: requestId,
  } = response as {
    Error?: { Code?: unknown; Message?: unknown };
    CoverUrl?: unknown;
    RequestId?: unknown;
  };
  // An id VOD's support can look up: kept when it is a plausible one, never anything else.
  const vodRequestId =
    typeof requestId === 'string' && /^[\w.:-]{1,128}$/.test(requestId) ? { vodRequestId: requestId } : {};
  if (error !== undefined) {
    if (typeof error !== 'object' || error === null || typeof error.Code !== 'string')
      throw new VodBadResponseError('an "Error" without a "Code"');
    const { code, canRetry } = classifyApi3Error(error.Code);
    // One redaction for both APIs (../redact.ts): an error may quote the request it answers.
    const message = typeof error.Message === 'string' ? redactSecrets(error.Message, secrets) : '';
    const vodErrorCode = redactSecrets(error.Code, secrets);
    return { ok: false, code, vodErrorCode, message, codeDesc: vodErrorCode, canRetry, ...vodRequestId };
  }
  if (typeof coverUrl !== 'string' || !/^https?:\/\//.test(coverUrl))
    throw new VodBadResponseError('no http(s) "CoverUrl"');
  return { ok: true, code: 0, fileId: videoFileId, url: coverUrl, instant: false, ...vodRequestId };
}
