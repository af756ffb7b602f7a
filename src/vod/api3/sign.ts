import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a TC3-HMAC-SHA256 signature covers (API 3.0: always POST to `/`, no query). */
export interface Tc3Request {
  /** `host` header, e.g. `vod.tencentcloudapi.com`. */
  host: string;
  /** `content-type` header exactly as sent, e.g. `application/json; charset=utf-8`. */
  contentType: string;
  /** The body exactly as sent. */
  payload: string | Uint8Array;
  /** X-TC-Timestamp: seconds since the epoch. */
  timestamp: number;
  /** The product, e.g. `vod` (the first label of the host). */
  service: string;
}

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The UTC date of a timestamp, `YYYY-MM-DD` (the credential scope's date). */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/** The canonical request: method, `/`, empty query, the content-type and host headers, the body's SHA-256. */
export function tc3CanonicalRequest(request: Tc3Request): string {
  return [
    'POST',
    '/',
    '',
    `content-type:${request.contentType.toLowerCase()}\nhost:${request.host.toLowerCase()}\n`,
    'content-type;host',
    sha256Hex(request.payload),
  ].join('\n');
}

/** The string to sign: algorithm, timestamp, credential scope, SHA-256 of the canonical request. */
export function tc3StringToSign(request: Tc3Request): string {
  return [
    TC3_ALGORITHM,
    String(request.timestamp),
    `${tc3Date(request.timestamp)}/${request.service}/tc3_request`,
    sha256Hex(tc3CanonicalRequest(request)),
  ].join('\n');
}

/**
 * The signature, lower-case hex: HMAC-SHA256 with the key chained from "TC3"+SecretKey, the date,
 * the service and "tc3_request".
 */
export function tc3Signature(secretKey: string, request: Tc3Request): string {
  const secretDate = hmac(`TC3${secretKey}`, tc3Date(request.timestamp));
  const secretService = hmac(secretDate, request.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  return createHmac('sha256', secretSigning).update(tc3StringToSign(request)).digest('hex');
}

/** The `Authorization` header of a signed request. */
export function tc3Authorization(secretId: string, secretKey: string, request: Tc3Request): string {
  const scope = `${tc3Date(request.timestamp)}/${request.service}/tc3_request`;
  return `${TC3_ALGORITHM} Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${tc3Signature(secretKey, request)}`;
}

/** The parts of an `Authorization` header, or undefined when it is not a TC3 one. */
export function parseTc3Authorization(
  header: string,
): { secretId: string; date: string; service: string; signedHeaders: string; signature: string } | undefined {
  const match =
    /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) return undefined;
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { secretId, date, service, signedHeaders, signature };
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
