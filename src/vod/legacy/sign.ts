import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { SignatureMethod } from './protocol.js';

/** Query parameters as sent: names as on the wire, raw (not URL-encoded) UTF-8 values. */
export type QueryParams = Readonly<Record<string, string>>;

/**
 * Wraps a SecretKey in a `KeyObject`, which never prints its material (`util.inspect`,
 * `JSON.stringify`), so the key can be held without leaking into logs.
 */
export function toSigningKey(secretKey: string | KeyObject): KeyObject {
  return typeof secretKey === 'string' ? createSecretKey(Buffer.from(secretKey, 'utf8')) : secretKey;
}

/** §2 step 2: `_` in a name becomes `.`, except a leading `_`. */
export function signatureName(name: string): string {
  return name.length > 0 ? name[0] + name.slice(1).replaceAll('_', '.') : name;
}

/**
 * §2 steps 1–5: the plain text that is signed.
 * `METHOD + host + path + "?" + sorted name=value pairs joined with "&"`, raw values.
 *
 * @example stringToSign('POST', 'vod2.qcloud.com', '/v2/index.php', { Action: 'SmallFileUpload', … })
 */
export function stringToSign(method: string, host: string, path: string, params: QueryParams): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (name === 'Signature') continue;
    pairs.push([signatureName(name), value]);
  }
  // Plain code-unit order: upper-case before lower-case (`Timestamp < dataSize`).
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const joined = pairs.map(([name, value]) => `${name}=${value}`).join('&');
  return `${method.toUpperCase()}${host}${path}?${joined}`;
}

/** §2 step 6: HMAC of the plain text, standard base64 with padding. */
export function computeSignature(
  plainText: string,
  secretKey: string | KeyObject,
  method: SignatureMethod = 'HmacSHA1',
): string {
  const algorithm = method === 'HmacSHA256' ? 'sha256' : 'sha1';
  return createHmac(algorithm, toSigningKey(secretKey)).update(plainText, 'utf8').digest('base64');
}

/** Options of {@link signQuery}. */
export interface SignQueryOptions {
  /** HTTP method actually used. */
  method: string;
  /** Bare host: no scheme, no port. */
  host: string;
  /** Request path, e.g. `/v2/index.php`. */
  path: string;
  /** The SecretKey (or a key made by {@link toSigningKey}). */
  secretKey: string | KeyObject;
}

/**
 * Signs `params` and returns them with `Signature` added. The signature method is read from the
 * `SignatureMethod` parameter (HmacSHA1 when absent), so the signed text and the key agree.
 */
export function signQuery(params: QueryParams, options: SignQueryOptions): Record<string, string> {
  const method = (params['SignatureMethod'] ?? 'HmacSHA1') as SignatureMethod;
  const plain = stringToSign(options.method, options.host, options.path, params);
  return { ...params, Signature: computeSignature(plain, options.secretKey, method) };
}

/** §2 step 7: the wire query string, every name and value percent-encoded (RFC 3986). */
export function encodeQuery(params: QueryParams): string {
  return Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}
