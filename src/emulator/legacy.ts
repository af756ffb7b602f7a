import type { KeyObject } from 'node:crypto';
import { VOD_ERRORS, VodCode, type VodResponseBody } from '../vod/legacy/protocol.js';
import { type Answer, json } from './answer.js';
import { type CheckedUpload, type QueryCheck, checkQuery, parseQuery } from './check-request.js';
import type { ProtocolSide } from './serve-call.js';
import type { CoverStore } from './store.js';

/** What the legacy side needs from the emulator it runs in. */
export interface LegacyContext {
  /** SecretId → signing key. */
  keys: ReadonlyMap<string, KeyObject>;
  covers(): CoverStore;
  now(): number;
  clockSkewSeconds: number;
  maxFileSize: number;
}

/** Slack read past the declared size before the emulator stops reading and hangs up. */
const READ_SLACK = 64 * 1024;

/**
 * `SmallFileUpload` as `docs/vod-protocol.md` describes it: the query checked in its order of
 * precedence (common parameters, signature, protocol parameters), then the body against the
 * declared size and SHA-1; a new cover is stored, one it already holds answered `code: 2`.
 */
export function legacySide(ctx: LegacyContext): ProtocolSide<QueryCheck> {
  return {
    prepare(req, call) {
      const [path = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
      const check = checkQuery(parseQuery(rawQuery), {
        method: req.method ?? 'POST',
        host: bareHost(req.headers.host),
        path,
        nowSeconds: Math.floor(ctx.now() / 1000),
        clockSkewSeconds: ctx.clockSkewSeconds,
        maxFileSize: ctx.maxFileSize,
        keys: ctx.keys,
      });
      if (check.ok) Object.assign(call, { videoFileId: check.upload.videoFileId, sha1: check.upload.fileSha });
      else call.why = check.why;
      const declared = check.ok ? check.upload.dataSize : 0;
      return { prepared: check, keep: declared, cap: (check.ok ? declared : ctx.maxFileSize) + READ_SLACK, sha1: true };
    },
    faultAnswer(fault) {
      if (fault.kind !== 'answer') return undefined;
      return answer({
        code: fault.code,
        canRetry: fault.canRetry,
        message: fault.message ?? 'fault injected by the emulator',
      });
    },
    rateLimited: () => answer({ code: VodCode.QUOTA_EXCEEDED }),
    maxBody: ctx.maxFileSize + READ_SLACK,
    process(_req, body, check) {
      if (!check.ok) return answer({ code: check.code });
      return answer(store(check.upload, body.size, body.bytes, body.sha1));
    },
  };

  /** Checks the body against the query and stores a new cover: the answer's fields. */
  function store(
    upload: CheckedUpload,
    size: number,
    bytes: Buffer,
    sha1: string | undefined,
  ): Partial<VodResponseBody> & { code: number } {
    if (size !== upload.dataSize || sha1 !== upload.fileSha) return { code: VodCode.PACKET_SIZE };
    const covers = ctx.covers();
    const existing = covers.get(upload.videoFileId, sha1);
    if (existing) return { code: VodCode.ALREADY_EXISTS, fileId: existing.fileId, url: existing.url };
    const cover = covers.add({
      videoFileId: upload.videoFileId,
      fileName: upload.fileName,
      fileType: upload.fileType,
      sha1,
      bytes,
    });
    return { code: VodCode.OK, fileId: cover.fileId, url: cover.url };
  }
}

/** §3's JSON answer, with the vendor's text and canRetry for a known code. */
function answer(fields: Partial<VodResponseBody> & { code: number }): Answer {
  const known = VOD_ERRORS[fields.code];
  const body: VodResponseBody = {
    canRetry: fields.canRetry ?? known?.canRetry ?? 0,
    code: fields.code,
    codeDesc: fields.codeDesc ?? known?.codeDesc ?? '',
    message: fields.message ?? known?.message ?? '',
    ...(fields.fileId === undefined ? {} : { fileId: fields.fileId, url: fields.url }),
  };
  return json(body, { code: fields.code });
}

function bareHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}
