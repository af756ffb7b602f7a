import { timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  FILE_SHA_PATTERN,
  FILE_TYPE_PATTERN,
  REGION_PATTERN,
  SIGNATURE_METHODS,
  SMALL_FILE_UPLOAD,
  VodCode,
  type SignatureMethod,
} from '../vod/legacy/protocol.js';
import { fileNameProblem, isValidVideoFileId } from '../vod/cover-rules.js';
import { computeSignature, stringToSign } from '../vod/legacy/sign.js';

/** An upload whose query passed every check of §1–§2; only its body is left to check. */
export interface CheckedUpload {
  secretId: string;
  videoFileId: string;
  fileName: string;
  fileType: string;
  /** Lower-cased. */
  fileSha: string;
  dataSize: number;
}

export type QueryCheck = { ok: true; upload: CheckedUpload } | { ok: false; code: number; why: string };

/** What the checks need to know besides the query. */
export interface CheckContext {
  method: string;
  /** Bare host the client addressed (the `Host` header without port). */
  host: string;
  path: string;
  /** Seconds since the epoch, server time. */
  nowSeconds: number;
  clockSkewSeconds: number;
  maxFileSize: number;
  /** SecretId → signing key. */
  keys: ReadonlyMap<string, KeyObject>;
}

/**
 * Parses a raw query string the way the vendor's PHP front end did (`+` is a space, percent
 * escapes are UTF-8). Returns `undefined` for a query that cannot be decoded or repeats a name.
 */
export function parseQuery(raw: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replaceAll('+', ' '));
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      return undefined;
    }
    if (params.has(name)) return undefined;
    params.set(name, value);
  }
  return params;
}

const fail = (code: number, why: string): QueryCheck => ({ ok: false, code, why });

/**
 * Runs every query check of the contract in its order of precedence:
 * common parameters (-10001) → signature (-10002) → protocol parameters (-10003).
 */
export function checkQuery(params: Map<string, string> | undefined, ctx: CheckContext): QueryCheck {
  if (params === undefined) return fail(VodCode.COMMON_PARAMS, 'query cannot be decoded or repeats a parameter');

  const action = params.get('Action');
  if (action === undefined) return fail(VodCode.COMMON_PARAMS, 'Action is missing');
  if (action !== SMALL_FILE_UPLOAD) return fail(VodCode.COMMON_PARAMS, `unknown Action ${JSON.stringify(action)}`);
  const region = params.get('Region');
  if (region === undefined || !REGION_PATTERN.test(region))
    return fail(VodCode.COMMON_PARAMS, 'Region is missing or malformed');
  const timestamp = params.get('Timestamp');
  if (timestamp === undefined || !/^[0-9]{1,12}$/.test(timestamp))
    return fail(VodCode.COMMON_PARAMS, 'Timestamp is missing or malformed');
  if (Math.abs(Number(timestamp) - ctx.nowSeconds) > ctx.clockSkewSeconds) {
    return fail(VodCode.COMMON_PARAMS, 'Timestamp is too far from server time');
  }
  const nonce = params.get('Nonce');
  if (nonce === undefined || !/^[1-9][0-9]{0,18}$/.test(nonce))
    return fail(VodCode.COMMON_PARAMS, 'Nonce is missing or malformed');
  const secretId = params.get('SecretId');
  if (secretId === undefined || secretId === '') return fail(VodCode.COMMON_PARAMS, 'SecretId is missing');
  const signatureMethod = params.get('SignatureMethod') ?? 'HmacSHA1';
  if (!SIGNATURE_METHODS.includes(signatureMethod as SignatureMethod)) {
    return fail(VodCode.COMMON_PARAMS, 'SignatureMethod is unknown');
  }

  const key = ctx.keys.get(secretId);
  if (key === undefined) return fail(VodCode.SIGNATURE, 'unknown SecretId');
  const signature = params.get('Signature');
  if (signature === undefined) return fail(VodCode.SIGNATURE, 'Signature is missing');
  const plain = stringToSign(ctx.method, ctx.host, ctx.path, Object.fromEntries(params));
  const expected = computeSignature(plain, key, signatureMethod as SignatureMethod);
  if (!constantTimeEqual(signature, expected)) return fail(VodCode.SIGNATURE, 'signature mismatch');

  const fileName = params.get('fileName');
  const nameProblem = fileName === undefined ? 'is missing' : fileNameProblem(fileName);
  if (nameProblem !== undefined) return fail(VodCode.PROTOCOL_PARAMS, `fileName ${nameProblem}`);
  const fileSha = params.get('fileSha');
  if (fileSha === undefined || !FILE_SHA_PATTERN.test(fileSha))
    return fail(VodCode.PROTOCOL_PARAMS, 'fileSha is missing or not 40 hex characters');
  const fileSize = parseSize(params.get('fileSize'));
  if (fileSize === undefined || fileSize < 1 || fileSize > ctx.maxFileSize) {
    return fail(VodCode.PROTOCOL_PARAMS, `fileSize is missing or outside 1..${ctx.maxFileSize}`);
  }
  const dataSize = parseSize(params.get('dataSize'));
  if (dataSize === undefined || dataSize !== fileSize)
    return fail(VodCode.PROTOCOL_PARAMS, 'dataSize is missing or differs from fileSize');
  const fileType = params.get('fileType');
  if (fileType === undefined || !FILE_TYPE_PATTERN.test(fileType))
    return fail(VodCode.PROTOCOL_PARAMS, 'fileType is missing or malformed');
  if (params.get('extra.usage') !== '1') return fail(VodCode.PROTOCOL_PARAMS, 'extra.usage is missing or not 1');
  const videoFileId = params.get('extra.fileId');
  if (videoFileId === undefined || !isValidVideoFileId(videoFileId)) {
    return fail(VodCode.PROTOCOL_PARAMS, 'extra.fileId is missing or malformed');
  }

  return {
    ok: true,
    upload: { secretId, videoFileId, fileName: fileName!, fileType, fileSha: fileSha.toLowerCase(), dataSize },
  };
}

function parseSize(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]{1,16}$/.test(value) ? Number(value) : undefined;
}

function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Compare equal lengths only; a length mismatch still costs one full comparison.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}
