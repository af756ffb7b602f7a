/**
 * A deliberately independent implementation of the request of `docs/vod-protocol.md` §1–§2
 * (it does not import src/vod), so that tests can send the emulator any well- or ill-formed
 * request and a bug shared by the signer and the emulator cannot hide.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { sha1 } from '../fixtures/images.js';

export interface RawUploadOptions {
  /** Emulator base URL. */
  baseUrl: string;
  /** @default '/v2/index.php' */
  path?: string;
  /** @default 'POST' (the method used) */
  method?: string;
  /** @default `method` (the method the signature is made for) */
  signedMethod?: string;
  /** @default `path` (the path the signature is made for) */
  signedPath?: string;
  /** @default the host of `baseUrl` (the host the signature is made for) */
  signedHost?: string;
  /** @default a small body */
  body?: Buffer;
  /** Parameters to add or override; `null` removes one. Applied before signing. */
  params?: Record<string, string | null>;
  /** @default DEV_CREDENTIAL */
  secretId?: string;
  secretKey?: string;
  /** Changes the signature after signing (e.g. one character). */
  tamper?: (signature: string) => string;
}

export interface RawAnswer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

export const SAMPLE_BODY = Buffer.from('\xff\xd8\xff\xe0 sample cover bytes for the emulator', 'latin1');

/** Builds the signed query of §1–§2 from scratch. */
export function buildSignedQuery(options: RawUploadOptions): string {
  const body = options.body ?? SAMPLE_BODY;
  const method = options.signedMethod ?? options.method ?? 'POST';
  const path = options.signedPath ?? options.path ?? '/v2/index.php';
  const host = options.signedHost ?? new URL(options.baseUrl).hostname;
  const base: Record<string, string | null> = {
    Action: 'SmallFileUpload',
    Region: 'gz',
    Timestamp: String(Math.floor(Date.now() / 1000)),
    Nonce: String(1 + Math.floor(Math.random() * 1e12)),
    SecretId: options.secretId ?? DEV_CREDENTIAL.secretId,
    fileName: 'test',
    fileSha: sha1(body),
    fileSize: String(body.length),
    dataSize: String(body.length),
    fileType: 'jpg',
    'extra.usage': '1',
    'extra.fileId': '9031868222807461771',
    ...options.params,
  };
  const params = Object.entries(base).filter((e): e is [string, string] => e[1] !== null);
  const sorted = params
    .map(([k, v]) => [k.replace(/(?!^)_/g, '.'), v] as const)
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const plain = `${method}${host}${path}?${sorted.map(([k, v]) => `${k}=${v}`).join('&')}`;
  const algorithm = base['SignatureMethod'] === 'HmacSHA256' ? 'sha256' : 'sha1';
  let signature = createHmac(algorithm, options.secretKey ?? DEV_CREDENTIAL.secretKey)
    .update(plain, 'utf8')
    .digest('base64');
  if (options.tamper) signature = options.tamper(signature);
  return [...params, ['Signature', signature]]
    .map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`)
    .join('&');
}

/** Sends one raw upload request to the emulator and reads the answer. */
export async function rawUpload(options: RawUploadOptions): Promise<RawAnswer> {
  const body = options.body ?? SAMPLE_BODY;
  const path = options.path ?? '/v2/index.php';
  const res = await request(`${options.baseUrl}${path}?${buildSignedQuery(options)}`, {
    method: (options.method ?? 'POST') as 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    },
    ...(options.method === 'GET' ? {} : { body }),
  });
  const text = await res.body.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, text, json };
}
