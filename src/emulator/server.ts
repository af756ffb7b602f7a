import { createHash, type Hash, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  VOD_ERRORS,
  VOD_PATHS,
  VodCode,
  type VodResponseBody,
} from '../vod/legacy/protocol.js';
import { MAX_FILE_SIZE, contentTypeOf } from '../vod/cover-rules.js';
import { toSigningKey } from '../vod/legacy/sign.js';
import { checkQuery, parseQuery, type CheckContext, type CheckedUpload } from './check-request.js';
import { handleApi3, type Api3Context } from './api3.js';
import { FaultQueue, type Fault } from './faults.js';
import { CoverStore, type StoredCover } from './store.js';

/** A SecretId/SecretKey pair the emulator accepts. */
export interface EmulatorCredential {
  secretId: string;
  secretKey: string;
}

/** Development credentials of the embedded emulator. Not secret: never use them elsewhere. */
export const DEV_CREDENTIAL: Readonly<EmulatorCredential> = {
  secretId: 'AKIDvodEmulatorDevelopmentOnly0000',
  secretKey: 'vodEmulatorDevelopmentSecretKey000',
};

/** Options of {@link startVodEmulator}. */
export interface VodEmulatorOptions {
  /**
   * Credential pairs accepted.
   * @default [DEV_CREDENTIAL]
   */
  credentials?: readonly EmulatorCredential[];
  /**
   * Account app id, used in cover URLs.
   * @default '1250000000'
   */
  appId?: string;
  /**
   * Largest `|Timestamp − server time|` accepted, in seconds.
   * @default 7200
   */
  clockSkewSeconds?: number;
  /**
   * Largest `fileSize` accepted, in bytes.
   * @default 1048576
   */
  maxFileSize?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port to listen on; 0 takes a free one.
   * @default 0
   */
  port?: number;
  /** Server clock in ms since the epoch (tests move it). @default Date.now */
  now?: () => number;
  /** Picks a fault for each call that finds the injected queue empty (soak tests). */
  faultPolicy?: (call: EmulatorCall) => Fault | undefined;
  /**
   * API 3.0 side: largest |X-TC-Timestamp − server time| accepted, in seconds.
   * @default 300
   */
  api3ClockSkewSeconds?: number;
  /**
   * Most call records kept in `calls` (the oldest go first), so that a long-running emulator
   * (`npm start`, the benchmark's upstream) does not grow without end. `callCount` counts them all.
   * @default 10000
   */
  maxCallRecords?: number;
}

/** One call to the upload endpoint, as the emulator saw it. */
export interface EmulatorCall {
  seq: number;
  path: string;
  /** What the call ended with: an answer, a client that went away, or a connection the emulator dropped. */
  outcome: 'answered' | 'client-aborted' | 'dropped';
  /** HTTP status sent (0 when none was). */
  status: number;
  /** VOD code answered, when the answer was JSON. */
  code?: number;
  fault?: Fault['kind'];
  videoFileId?: string;
  sha1?: string;
  bytesReceived: number;
  /** When the call arrived, and when its connection's answer ended (`performance.now()` ms). */
  receivedAt: number;
  endedAt?: number;
  /** Why a check failed, for test failure messages. */
  why?: string;
}

export interface VodEmulator {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The calls to the upload endpoint so far (the latest `maxCallRecords`), oldest first. */
  readonly calls: readonly EmulatorCall[];
  /** Number of calls to the upload endpoint so far. */
  readonly callCount: number;
  /** Accepted covers. */
  readonly covers: CoverStore;
  /** Applies `fault` to the next `times` upload calls. */
  inject(fault: Fault, times?: number): void;
  /** Forgets calls, covers and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

/** Slack read past the declared size before the emulator stops reading and hangs up. */
const READ_SLACK = 64 * 1024;

/**
 * Starts a VOD emulator: a real HTTP server on loopback speaking `SmallFileUpload` as
 * `docs/vod-protocol.md` describes and, on the same port, API 3.0's `ModifyMediaInfo` for covers
 * (`docs/vod-api3.md`), with fault injection and call records for tests.
 *
 * @example
 * const vod = await startVodEmulator();
 * const client = createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: vod.url });
 */
export async function startVodEmulator(options: VodEmulatorOptions = {}): Promise<VodEmulator> {
  const {
    credentials = [DEV_CREDENTIAL],
    appId = '1250000000',
    clockSkewSeconds = DEFAULT_CLOCK_SKEW_SECONDS,
    maxFileSize = MAX_FILE_SIZE,
    host = '127.0.0.1',
    port = 0,
    now = Date.now,
    faultPolicy,
    maxCallRecords = 10_000,
  } = options;
  if (credentials.length === 0)
    throw new TypeError('startVodEmulator: option "credentials" must hold at least one pair');
  const keys = new Map<string, KeyObject>(credentials.map((c) => [c.secretId, toSigningKey(c.secretKey)]));
  const faults = new FaultQueue();
  const calls: EmulatorCall[] = [];
  let callCount = 0;
  const timers = new Set<NodeJS.Timeout>();
  let store: CoverStore;

  const server = createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const [path = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    // API 3.0: every action is a POST to / with X-TC-Action.
    if (path === '/' && req.method === 'POST' && req.headers['x-tc-action'] !== undefined)
      return void handleApi3(req, res, api3);
    if ((VOD_PATHS as readonly string[]).includes(path)) {
      if (req.method !== 'POST') return plain(res, 405, 'SmallFileUpload takes POST\n', { allow: 'POST' });
      return void handleUpload(req, res, path, rawQuery);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const cover = store.byPath(path);
      if (cover) return serveCover(req, res, cover);
    }
    return plain(res, 404, 'not found\n');
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  /** A new record in `calls`, for either API. */
  function newCall(path: string): EmulatorCall {
    const call: EmulatorCall = {
      seq: ++callCount,
      path,
      outcome: 'answered',
      status: 0,
      bytesReceived: 0,
      receivedAt: performance.now(),
    };
    calls.push(call);
    // Trimmed in steps, so that a full record list costs one shift per maxCallRecords / 2 calls.
    if (calls.length > maxCallRecords * 1.5) calls.splice(0, calls.length - maxCallRecords);
    return call;
  }
  const faultFor = (call: EmulatorCall): Fault | undefined => faults.take() ?? faultPolicy?.(call);
  const api3: Api3Context = {
    secretKeys: new Map(credentials.map((c) => [c.secretId, c.secretKey])),
    covers: () => store,
    newCall,
    faultFor,
    now,
    timers,
    ...(options.api3ClockSkewSeconds === undefined ? {} : { clockSkewSeconds: options.api3ClockSkewSeconds }),
  };

  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawQuery: string,
  ): Promise<void> {
    const call = newCall(path);
    res.once('close', () => (call.endedAt = performance.now()));
    const fault = faultFor(call);
    if (fault) call.fault = fault.kind;

    const ctx: CheckContext = {
      method: req.method ?? 'POST',
      host: bareHost(req.headers.host),
      path,
      nowSeconds: Math.floor(now() / 1000),
      clockSkewSeconds,
      maxFileSize,
      keys,
    };
    const check = checkQuery(parseQuery(rawQuery), ctx);
    const upload = check.ok ? check.upload : undefined;
    if (upload) Object.assign(call, { videoFileId: upload.videoFileId, sha1: upload.fileSha });
    if (!check.ok) call.why = check.why;

    const body = await readBody(req, upload?.dataSize ?? 0, (upload?.dataSize ?? maxFileSize) + READ_SLACK);
    call.bytesReceived = body.size;
    if (body.aborted) {
      call.outcome = 'client-aborted';
      return;
    }
    // Past the slack we stopped reading: answer, then hang up rather than swallow the rest.
    if (body.overflow) res.setHeader('connection', 'close');

    if (fault?.kind === 'drop' && !fault.afterStore) return drop(req, call);
    if (fault?.kind === 'status')
      return plain(res, fault.status, 'upstream fault injected by the emulator\n', {}, call);
    if (fault?.kind === 'malformed')
      return plain(res, 200, '<html>not json', { 'content-type': 'application/json' }, call);
    if (fault?.kind === 'body') return plain(res, 200, fault.body, { 'content-type': 'application/json' }, call);
    if (fault?.kind === 'answer') {
      return answer(res, call, {
        code: fault.code,
        canRetry: fault.canRetry,
        message: fault.message ?? 'fault injected by the emulator',
      });
    }

    const result = check.ok ? settle(check.upload, body) : { code: check.code };
    if (fault?.kind === 'drop') return drop(req, call);
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, call, result);
      }, fault.ms);
      timers.add(timer);
      return;
    }
    answer(res, call, result);
  }

  /** Checks the body against the query and stores a new cover: the answer's fields. */
  function settle(upload: CheckedUpload, body: ReadBody): Partial<VodResponseBody> & { code: number } {
    if (body.overflow || body.size !== upload.dataSize) return { code: VodCode.PACKET_SIZE };
    const sha1 = body.hash!.digest('hex');
    if (sha1 !== upload.fileSha) return { code: VodCode.PACKET_SIZE };
    const existing = store.get(upload.videoFileId, sha1);
    if (existing) return { code: VodCode.ALREADY_EXISTS, fileId: existing.fileId, url: existing.url };
    const cover = store.add({
      videoFileId: upload.videoFileId,
      fileName: upload.fileName,
      fileType: upload.fileType,
      sha1,
      bytes: Buffer.concat(body.chunks, body.size),
    });
    return { code: VodCode.OK, fileId: cover.fileId, url: cover.url };
  }

  function answer(res: ServerResponse, call: EmulatorCall, fields: Partial<VodResponseBody> & { code: number }): void {
    const known = VOD_ERRORS[fields.code];
    const body: VodResponseBody = {
      canRetry: fields.canRetry ?? known?.canRetry ?? 0,
      code: fields.code,
      codeDesc: fields.codeDesc ?? known?.codeDesc ?? '',
      message: fields.message ?? known?.message ?? '',
      ...(fields.fileId === undefined ? {} : { fileId: fields.fileId, url: fields.url }),
    };
    call.code = fields.code;
    plain(res, 200, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' }, call);
  }

  function drop(req: IncomingMessage, call: EmulatorCall): void {
    call.outcome = 'dropped';
    req.socket.destroy();
  }

  function serveCover(req: IncomingMessage, res: ServerResponse, cover: StoredCover): void {
    res.writeHead(200, {
      'content-type': contentTypeOf(cover.fileType),
      'content-length': cover.bytes.length,
      etag: `"${cover.sha1}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : cover.bytes);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  store = new CoverStore(appId, url);

  return {
    url,
    port: address.port,
    calls,
    get callCount() {
      return callCount;
    },
    get covers() {
      return store;
    },
    inject: (fault, times) => faults.inject(fault, times),
    reset() {
      calls.length = 0;
      callCount = 0;
      faults.clear();
      store.clear();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

interface ReadBody {
  /** Bytes received (counted past `keep` too, up to the cap). */
  size: number;
  /** Chunks kept: only while `size` ≤ `keep`. */
  chunks: Buffer[];
  /** SHA-1 of the kept bytes, when any were to be kept. */
  hash: Hash | undefined;
  /** More than `cap` bytes were sent (or declared); reading stopped. */
  overflow: boolean;
  /** The client went away before the body ended. */
  aborted: boolean;
}

/**
 * Reads a request body, keeping at most `keep` bytes and hashing them as they arrive; stops at
 * `cap` bytes (or at once when Content-Length already says more) instead of reading on.
 */
function readBody(req: IncomingMessage, keep: number, cap: number): Promise<ReadBody> {
  const body: ReadBody = {
    size: 0,
    chunks: [],
    hash: keep > 0 ? createHash('sha1') : undefined,
    overflow: false,
    aborted: false,
  };
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > cap) {
    body.overflow = true;
    req.pause();
    return Promise.resolve(body);
  }
  return new Promise((resolve) => {
    const finish = (): void => {
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      body.size += chunk.length;
      if (body.size <= keep) {
        body.chunks.push(chunk);
        body.hash!.update(chunk);
      }
      if (body.size > cap) {
        body.overflow = true;
        req.pause();
        finish();
      }
    };
    req.on('data', onData);
    req.once('end', finish);
    req.once('close', () => {
      if (!req.complete && !body.overflow) body.aborted = true;
      finish();
    });
  });
}

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
  call?: EmulatorCall,
): void {
  if (res.destroyed) return;
  if (call) call.status = status;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...headers,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  // A response sent before the body was read whole: hang up instead of draining the rest.
  if (res.getHeader('connection') === 'close') res.once('finish', () => res.socket?.destroySoon());
}

function bareHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}
