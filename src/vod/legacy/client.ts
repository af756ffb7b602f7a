import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createClientOnSkeleton, type SignedRequest, type VodApiSpeech } from '../client-skeleton.js';
import { VodBadResponseError } from '../errors.js';
import { LEGACY_OPTION_RULES, requireOption } from '../option-rules.js';
import { redactSecrets } from '../redact.js';
import type { OwnedVodClient, SetCoverInput, VodAnswer, VodClientBaseOptions, VodCredentials } from '../vod-client.js';
import {
  DEFAULT_REGION,
  DEFAULT_VOD_BASE_URL,
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
 * A {@link OwnedVodClient} for the legacy API: each cover is one `SmallFileUpload` (the bytes as the
 * body, the parameters signed in the query; `docs/vod-protocol.md`). Credentials, transport,
 * retries and rotation are the skeleton's (../client-skeleton.ts), as for API 3.0.
 *
 * @example
 * await using vod = createLegacyVodClient({ secretId, secretKey, baseUrl: emulator.url });
 * const result = await vod.setCover({ videoFileId, fileName: 'cover', fileType: 'jpg', body, sha1, size });
 */
export function createLegacyVodClient(options: LegacyVodClientOptions): OwnedVodClient {
  return createClientOnSkeleton('createLegacyVodClient', options, DEFAULT_VOD_BASE_URL, (origin) =>
    legacySpeech(origin, options),
  );
}

/** What the legacy API signs every attempt's query with, its options checked. */
interface QuerySigning {
  host: string;
  path: string;
  region: string;
  signatureMethod: SignatureMethod;
  now: () => number;
  keyOf(credentials: VodCredentials): ReturnType<typeof toSigningKey>;
}

/** The legacy API's part of the client: a signed query, the bytes as the body, §3's JSON. */
function legacySpeech(origin: URL, options: LegacyVodClientOptions): VodApiSpeech<undefined> {
  const { path = VOD_PATHS[0], region = DEFAULT_REGION, signatureMethod = 'HmacSHA1', now = Date.now } = options;
  requireOption(CLIENT, 'path', LEGACY_OPTION_RULES.path, path);
  requireOption(CLIENT, 'region', LEGACY_OPTION_RULES.region, region);
  requireOption(CLIENT, 'signatureMethod', LEGACY_OPTION_RULES.signatureMethod, signatureMethod);
  // A signing key per set of credentials: made once, not per attempt.
  const keys = new WeakMap<VodCredentials, ReturnType<typeof toSigningKey>>();
  const keyOf = (c: VodCredentials) => keys.get(c) ?? keys.set(c, toSigningKey(c.secretKey)).get(c)!;
  const signing: QuerySigning = { host: origin.hostname, path, region, signatureMethod, now, keyOf };
  return {
    prepare: () => undefined,
    sign: (input, _prepared, credentials) => signedUpload(signing, input, credentials),
    parse: (text, _input, secrets) => parseAnswer(text, secrets),
    refusesSignature: (failure) => failure.code === VodCode.SIGNATURE,
  };
}

/** One attempt's SmallFileUpload: the signed query, the bytes, and the secrets the query carries. */
function signedUpload(signing: QuerySigning, input: SetCoverInput, credentials: VodCredentials): SignedRequest {
  const { secretId, token } = credentials;
  // Fresh Timestamp and Nonce for every attempt: a replayed request must not look new.
  const params: Record<string, string> = {
    Action: SMALL_FILE_UPLOAD,
    Region: signing.region,
    Timestamp: String(Math.floor(signing.now() / 1000)),
    Nonce: String(randomInt(1, 2 ** 47)),
    SecretId: secretId,
    SignatureMethod: signing.signatureMethod,
    ...(token === undefined ? {} : { Token: token }),
    fileName: input.fileName,
    fileSha: input.sha1,
    fileSize: String(input.size),
    dataSize: String(input.size),
    fileType: input.fileType,
    'extra.usage': '1',
    'extra.fileId': input.videoFileId,
  };
  const { host, path } = signing;
  const signed = signQuery(params, { method: 'POST', host, path, secretKey: signing.keyOf(credentials) });
  return {
    request: {
      path: `${path}?${encodeQuery(signed)}`,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(input.size),
        ...(input.requestId === undefined ? {} : { 'x-request-id': input.requestId }),
      },
      body: Array.isArray(input.body) ? chunksOf(input.body) : (input.body as Uint8Array),
    },
    secrets: [signed['Signature'], token],
  };
}

/**
 * The chunks as a fresh iterable for each attempt. undici writes any iterable body (`isIterable`
 * in its core), though its types list only streams and buffers.
 */
function chunksOf(chunks: readonly Uint8Array[]): Readable {
  return chunks[Symbol.iterator]() as unknown as Readable;
}

const CLIENT = 'createLegacyVodClient';

/**
 * Reads §3's JSON. A `fileId` sent as a JSON number is kept digit for digit only when it is a plain
 * top-level integer literal.
 */
export function parseAnswer(text: string, secrets: readonly (string | undefined)[] = []): VodAnswer {
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
    return { ok: true, code, fileId, url, instant: code === VodCode.ALREADY_EXISTS };
  }
  return {
    ok: false,
    code,
    // VOD may echo the request URL; its Signature (and Token) must not travel on to clients or logs.
    message: typeof answer['message'] === 'string' ? redactSecrets(answer['message'], secrets) : '',
    codeDesc: typeof answer['codeDesc'] === 'string' ? redactSecrets(answer['codeDesc'], secrets) : '',
    canRetry: answer['canRetry'] === 1 || answer['canRetry'] === '1',
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
