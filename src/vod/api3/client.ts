import {
  API3_ACTION,
  API3_CONTENT_TYPE,
  API3_SERVICE,
  API3_VERSION,
  DEFAULT_API3_BASE_URL,
  classifyApi3Error,
} from './protocol.js';
import { credentialSourceOf, readyToCall } from '../credentials.js';
import { vodBaseUrlProblem } from '../base-url.js';
import { VodBadResponseError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { createVodTransport } from '../transport.js';
import type { SetCoverInput, SetCoverResult, VodClient, VodClientBaseOptions, VodCredentials } from '../vod-client.js';
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
 * code. The pool, the deadline and the retry loop are the transport's (../transport.ts), as for
 * the legacy API.
 */
export function createApi3VodClient(options: Api3VodClientOptions): VodClient {
  const { baseUrl = DEFAULT_API3_BASE_URL, subAppId, region, now = Date.now } = options;
  const credentials = credentialSourceOf('createApi3VodClient', options);
  const problem = vodBaseUrlProblem(baseUrl);
  if (problem) throw new TypeError(`createApi3VodClient: option "baseUrl" ${problem}`);
  if (subAppId !== undefined && !(Number.isSafeInteger(subAppId) && subAppId > 0))
    throw new TypeError('createApi3VodClient: option "subAppId" must be a positive whole number');
  const origin = new URL(baseUrl).origin;
  const host = new URL(origin).host;
  // The vendor's SDK signs the host name without its port (sent in Host all the same); so do we.
  const signedHost = new URL(origin).hostname;
  const transport = createVodTransport('createApi3VodClient', origin, options);

  async function attemptOnce(
    input: SetCoverInput,
    payload: string,
    signal: AbortSignal,
    signedWith: (c: VodCredentials) => void,
  ): Promise<SetCoverResult> {
    const c = await credentials.current(signal);
    signedWith(c);
    const { secretId, secretKey, token } = c;
    // Signed afresh for each attempt: the timestamp must be current.
    const timestamp = Math.floor(now() / 1000);
    const authorization = tc3Authorization(secretId, secretKey, {
      host: signedHost,
      contentType: API3_CONTENT_TYPE,
      payload,
      timestamp,
      service: API3_SERVICE,
    });
    const text = await transport.post(
      {
        path: '/',
        headers: {
          host,
          'content-type': API3_CONTENT_TYPE,
          'x-tc-action': API3_ACTION,
          'x-tc-version': API3_VERSION,
          'x-tc-timestamp': String(timestamp),
          ...(region === undefined ? {} : { 'x-tc-region': region }),
          ...(token === undefined ? {} : { 'x-tc-token': token }),
          ...(input.requestId === undefined ? {} : { 'x-request-id': input.requestId }),
          authorization,
        },
        body: payload,
      },
      signal,
    );
    return parseApi3Answer(text, input.videoFileId, [/Signature=([0-9a-f]+)$/.exec(authorization)?.[1], token]);
  }

  return {
    async setCover(input) {
      const bytes = Array.isArray(input.body)
        ? Buffer.concat(input.body as readonly Uint8Array[])
        : Buffer.from(
            (input.body as Uint8Array).buffer,
            (input.body as Uint8Array).byteOffset,
            (input.body as Uint8Array).byteLength,
          );
      // JSON carries the cover as base64: built once, sent by every attempt.
      const payload = JSON.stringify({
        FileId: input.videoFileId,
        CoverData: bytes.toString('base64'),
        ...(subAppId === undefined ? {} : { SubAppId: subAppId }),
      });
      let used: VodCredentials | undefined;
      const attempt = (signal: AbortSignal) => attemptOnce(input, payload, signal, (c) => (used = c));
      const result = await transport.call(attempt, input.signal);
      // Refused right after a rotation: read the credentials again, and try once more with new ones.
      if (
        !result.ok &&
        result.vodErrorCode?.startsWith('AuthFailure.') &&
        used &&
        (await credentials.refused(used, input.signal))
      )
        return transport.call(attempt, input.signal);
      return result;
    },
    reachable: readyToCall(credentials, transport.reachable),
    close: transport.close,
  };
}

/** Reads `{"Response": {...}}`: a CoverUrl, or an Error with its code and message. */
export function parseApi3Answer(
  text: string,
  videoFileId: string,
  secrets: readonly (string | undefined)[] = [],
): SetCoverResult {
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
    return { ok: false, code, vodErrorCode, message, codeDesc: vodErrorCode, canRetry, attempts: 1, ...vodRequestId };
  }
  if (typeof coverUrl !== 'string' || !/^https?:\/\//.test(coverUrl))
    throw new VodBadResponseError('no http(s) "CoverUrl"');
  return { ok: true, code: 0, fileId: videoFileId, url: coverUrl, instant: false, attempts: 1, ...vodRequestId };
}
