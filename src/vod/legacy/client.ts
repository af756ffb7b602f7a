import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import { vodBaseUrlProblem } from '../base-url.js';
import { VodBadResponseError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { createVodTransport } from '../transport.js';
import { credentialSourceOf, readyToCall } from '../credentials.js';
import type { SetCoverInput, SetCoverResult, VodClient, VodClientBaseOptions, VodCredentials } from '../vod-client.js';
import {
  DEFAULT_REGION,
  DEFAULT_VOD_BASE_URL,
  REGION_PATTERN,
  SIGNATURE_METHODS,
  SMALL_FILE_UPLOAD,
  VOD_PATHS,
  VodCode,
  type SignatureMethod,
} from './protocol.js';
import { encodeQuery, signQuery, toSigningKey } from './sign.js';

/**
 * Options of {@link createLegacyVodClient}: credentials, the endpoint, and the transport's pool,
 * timeouts and retries.
 */
export interface LegacyVodClientOptions extends VodClientBaseOptions {
  /**
   * Scheme, host and optional port of the VOD endpoint (no path).
   * @default 'https://vod2.qcloud.com'
   */
  baseUrl?: string;
  /**
   * Path of the action endpoint.
   * @default '/v2/index.php'
   */
  path?: string;
  /**
   * Legacy short region code, sent as `Region`.
   * @default 'gz'
   */
  region?: string;
  /**
   * Signature algorithm.
   * @default 'HmacSHA1'
   */
  signatureMethod?: SignatureMethod;
}

/**
 * A {@link VodClient} for the legacy API: each cover is one `SmallFileUpload` (the bytes as the
 * body, the parameters signed in the query; `docs/vod-protocol.md`).
 *
 * @example
 * const vod = createLegacyVodClient({ secretId, secretKey, baseUrl: emulator.url });
 * const result = await vod.setCover({ videoFileId, fileName: 'cover', fileType: 'jpg', body, sha1, size });
 */
export function createLegacyVodClient(options: LegacyVodClientOptions): VodClient {
  const {
    baseUrl = DEFAULT_VOD_BASE_URL,
    path = VOD_PATHS[0],
    region = DEFAULT_REGION,
    signatureMethod = 'HmacSHA1',
    now = Date.now,
  } = options;
  const credentials = credentialSourceOf('createLegacyVodClient', options);
  const origin = parseOrigin(baseUrl);
  requireOption(path.startsWith('/'), 'path', 'must start with "/"');
  requireOption(REGION_PATTERN.test(region), 'region', 'must be a lower-case region code such as "gz"');
  requireOption(
    SIGNATURE_METHODS.includes(signatureMethod),
    'signatureMethod',
    `must be one of ${SIGNATURE_METHODS.join(', ')}`,
  );
  const transport = createVodTransport('createLegacyVodClient', origin, options);

  // A signing key per set of credentials: made once, not per attempt.
  const keys = new WeakMap<VodCredentials, ReturnType<typeof toSigningKey>>();
  const keyOf = (c: VodCredentials) => keys.get(c) ?? keys.set(c, toSigningKey(c.secretKey)).get(c)!;
  const host = new URL(origin).hostname;

  /** The signed path of one attempt, and the secrets it carries (for redacting VOD's echo of them). */
  function signedPath(input: SetCoverInput, c: VodCredentials): { path: string; secrets: (string | undefined)[] } {
    const { secretId, token } = c;
    // Fresh Timestamp and Nonce for every attempt: a replayed request must not look new.
    const params: Record<string, string> = {
      Action: SMALL_FILE_UPLOAD,
      Region: region,
      Timestamp: String(Math.floor(now() / 1000)),
      Nonce: String(randomInt(1, 2 ** 47)),
      SecretId: secretId,
      SignatureMethod: signatureMethod,
      ...(token === undefined ? {} : { Token: token }),
      fileName: input.fileName,
      fileSha: input.sha1,
      fileSize: String(input.size),
      dataSize: String(input.size),
      fileType: input.fileType,
      'extra.usage': '1',
      'extra.fileId': input.videoFileId,
    };
    const signed = signQuery(params, { method: 'POST', host, path, secretKey: keyOf(c) });
    return { path: `${path}?${encodeQuery(signed)}`, secrets: [signed['Signature'], token] };
  }

  const attemptOnce = async (
    input: SetCoverInput,
    signal: AbortSignal,
    signedWith: (c: VodCredentials) => void,
  ): Promise<SetCoverResult> => {
    const c = await credentials.current(signal);
    signedWith(c);
    const signed = signedPath(input, c);
    const text = await transport.post(
      {
        path: signed.path,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(input.size),
          ...(input.requestId === undefined ? {} : { 'x-request-id': input.requestId }),
        },
        body: Array.isArray(input.body) ? chunksOf(input.body) : (input.body as Uint8Array),
      },
      signal,
    );
    return parseAnswer(text, signed.secrets);
  };

  return {
    async setCover(input) {
      let used: VodCredentials | undefined;
      const attempt = (signal: AbortSignal) => attemptOnce(input, signal, (c) => (used = c));
      const result = await transport.call(attempt, input.signal);
      // Refused right after a rotation: read the credentials again, and try once more with new ones.
      if (!result.ok && result.code === VodCode.SIGNATURE && used && (await credentials.refused(used, input.signal)))
        return transport.call(attempt, input.signal);
      return result;
    },
    reachable: readyToCall(credentials, transport.reachable),
    close: transport.close,
  };
}

/**
 * The chunks as a fresh iterable for each attempt. undici writes any iterable body (`isIterable`
 * in its core), though its types list only streams and buffers.
 */
function chunksOf(chunks: readonly Uint8Array[]): Readable {
  return chunks[Symbol.iterator]() as unknown as Readable;
}

function requireOption(ok: boolean, name: string, rule: string): asserts ok {
  if (!ok) throw new TypeError(`createLegacyVodClient: option "${name}" ${rule}`);
}

function parseOrigin(baseUrl: string): string {
  const problem = vodBaseUrlProblem(baseUrl);
  if (problem) throw new TypeError(`createLegacyVodClient: option "baseUrl" ${problem}`);
  return new URL(baseUrl).origin;
}

/**
 * Reads §3's JSON. A `fileId` sent as a JSON number is kept digit for digit only when it is a plain
 * top-level integer literal.
 */
export function parseAnswer(text: string, secrets: readonly (string | undefined)[] = []): SetCoverResult {
  let body: unknown;
  try {
    body = JSON.parse(text, keepFileIdDigits);
  } catch {
    throw new VodBadResponseError('not JSON');
  }
  if (typeof body !== 'object' || body === null || !Number.isInteger((body as { code?: unknown }).code)) {
    throw new VodBadResponseError('no integer "code"');
  }
  const answer = body as Record<string, unknown>;
  const code = answer['code'] as number;
  if (code === VodCode.OK || code === VodCode.ALREADY_EXISTS) {
    // A fileId is a numeric string; sent as a JSON number, its source text (keepFileIdDigits), which
    // COVER_FILE_ID takes only as a plain integer: 1e400 or 1.5 are not ids, nor is a nested one.
    const fileId = answer['fileId'];
    const url = answer['url'];
    if (typeof fileId !== 'string' || !COVER_FILE_ID.test(fileId))
      throw new VodBadResponseError('success without an integer "fileId"');
    if (typeof url !== 'string' || !isHttpUrl(url)) throw new VodBadResponseError('success without an http(s) "url"');
    return { ok: true, code, fileId, url, instant: code === VodCode.ALREADY_EXISTS, attempts: 1 };
  }
  return {
    ok: false,
    code,
    // VOD may echo the request URL; its Signature (and Token) must not travel on to clients or logs.
    message: typeof answer['message'] === 'string' ? redactSecrets(answer['message'], secrets) : '',
    codeDesc: typeof answer['codeDesc'] === 'string' ? redactSecrets(answer['codeDesc'], secrets) : '',
    canRetry: answer['canRetry'] === 1 || answer['canRetry'] === '1',
    attempts: 1,
  };
}

const COVER_FILE_ID = /^(0|[1-9][0-9]*)$/;

/**
 * A `JSON.parse` reviver that gives a numeric `fileId` as its source text (Node 22+: the reviver's
 * `context.source`): VOD's 17–19-digit ids do not fit in a double, which would change their last
 * digits. Only the top-level one is read as an id.
 */
function keepFileIdDigits(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  return key === 'fileId' && typeof value === 'number' && context?.source !== undefined ? context.source : value;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
