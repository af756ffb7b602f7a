/**
 * The VOD client a user of Yoga or Apollo writes for themselves, from the vendor's page
 * (docs/vod-protocol.md): sign the query with HMAC-SHA1, one undici POST, `JSON.parse` the answer.
 * No retries, no pool settings, no deadline beyond undici's defaults. Shared by both peers and
 * the floor, and it imports nothing from src/: a peer carries none of the gateway's code.
 */
import { createHmac, randomInt } from 'node:crypto';
import { request } from 'undici';

export interface CoverUpload {
  videoFileId: string;
  fileName: string;
  fileType: string;
  body: Buffer;
  sha1: string;
}

export type CoverAnswer =
  | { ok: true; fileId: string; url: string; instant: boolean }
  | { ok: false; code: number; message: string; canRetry: boolean };

export function createMinimalVodClient(baseUrl: string, secretId: string, secretKey: string) {
  const { host, origin } = new URL(baseUrl);
  const hostname = host.replace(/:\d+$/, '');
  const path = '/v2/index.php';
  return async function setCover(upload: CoverUpload): Promise<CoverAnswer> {
    const params: Record<string, string> = {
      Action: 'SmallFileUpload',
      Region: 'gz',
      Timestamp: String(Math.floor(Date.now() / 1000)),
      Nonce: String(randomInt(1, 2 ** 47)),
      SecretId: secretId,
      fileName: upload.fileName,
      fileSha: upload.sha1,
      fileSize: String(upload.body.length),
      dataSize: String(upload.body.length),
      fileType: upload.fileType,
      'extra.usage': '1',
      'extra.fileId': upload.videoFileId,
    };
    const names = Object.keys(params).sort();
    const text = `POST${hostname}${path}?${names.map((n) => `${n}=${params[n]}`).join('&')}`;
    params['Signature'] = createHmac('sha1', secretKey).update(text).digest('base64');
    const query = new URLSearchParams(params).toString();
    const res = await request(`${origin}${path}?${query}`, {
      method: 'POST',
      body: upload.body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    const answer = JSON.parse(await res.body.text()) as {
      code: number;
      message?: string;
      fileId?: string;
      url?: string;
      canRetry?: number;
    };
    if (answer.code === 0 || answer.code === 2) {
      return { ok: true, fileId: String(answer.fileId), url: String(answer.url), instant: answer.code === 2 };
    }
    return { ok: false, code: answer.code, message: answer.message ?? '', canRetry: answer.canRetry === 1 };
  };
}

/** The emulator the bench starts, and its development credential (passed by bench/run.ts). */
export function minimalVodClientFromEnv() {
  return createMinimalVodClient(
    process.env['VOD_BASE_URL']!,
    process.env['VOD_SECRET_ID']!,
    process.env['VOD_SECRET_KEY']!,
  );
}
