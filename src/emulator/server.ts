import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_FILE_SIZE, contentTypeOf } from '../vod/cover-rules.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, VOD_PATHS } from '../vod/legacy/protocol.js';
import { AcceptedCredentials, type EmulatorCredential } from './accepted-credentials.js';
import { plain, send } from './answer.js';
import type { QueryCheck } from './check-request.js';
import { api3Side } from './api3.js';
import { CallRate } from './call-rate.js';
import { CallLog, type EmulatorCall } from './calls.js';
import { FaultQueue, type Fault } from './faults.js';
import { legacySide } from './legacy.js';
import { type Arrival, type ProtocolSide, serveCall } from './serve-call.js';
import { CoverStore, type StoredCover } from './store.js';

export type { EmulatorCall } from './calls.js';

export type { EmulatorCredential } from './accepted-credentials.js';

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
  /**
   * Calls per second answered, as VOD limits ModifyMediaInfo: at most this many accepted in any
   * 1000 ms; the others are answered `RequestLimitExceeded` (API 3.0) or `4400` (legacy) unchecked.
   * `false`: no limit.
   * @default 100
   */
  rateLimit?: number | false;
}

/** `await using emulator = await startVodEmulator()` closes it at the end of the block. */
export interface VodEmulator extends AsyncDisposable {
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
  /** Accepts these pairs from now on, and no others (a credential rotation). */
  setCredentials(credentials: readonly EmulatorCredential[]): void;
  /** Answers this many calls per second from now on (`false`: all of them). */
  setRateLimit(limit: number | false): void;
  /** Forgets calls, covers, pending faults and the calls of the rate's window. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a VOD emulator: a real HTTP server on loopback speaking `SmallFileUpload` as
 * `docs/vod-protocol.md` describes and, on the same port, API 3.0's `ModifyMediaInfo` for covers
 * (`docs/vod-api3.md`), each side a protocol handler over the one fault table (`serve-call.ts`),
 * with fault injection and call records for tests.
 *
 * @example
 * const vod = await startVodEmulator();
 * const client = createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: vod.url });
 */
export async function startVodEmulator(options: VodEmulatorOptions = {}): Promise<VodEmulator> {
  const { credentials = [DEV_CREDENTIAL], appId = '1250000000', host = '127.0.0.1', port = 0 } = options;
  if (credentials.length === 0)
    throw new TypeError('startVodEmulator: option "credentials" must hold at least one pair');
  const accepted = new AcceptedCredentials(credentials);
  // Checked before listening, so that a bad value leaves no server behind.
  const rate = new CallRate(options.rateLimit ?? 100);
  const server = createServer();
  server.on('clientError', (_error, socket) => socket.destroy());
  const address = await listen(server, port, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  // Covers are served on the emulator's own address, known once it listens (before any request).
  const emulator = emulatorState(options, accepted, rate, new CoverStore(appId, url));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => route(emulator, req, res));
  const close = () => closeEmulator(emulator, server);
  return {
    url,
    port: address.port,
    calls: emulator.log.calls,
    get callCount() {
      return emulator.log.count;
    },
    get covers() {
      return emulator.store;
    },
    inject: (fault, times) => emulator.faults.inject(fault, times),
    setCredentials: (pairs) => accepted.accept(pairs),
    setRateLimit: (limit) => emulator.rate.set(limit),
    reset() {
      emulator.log.clear();
      emulator.rate.clear();
      emulator.faults.clear();
      emulator.store.clear();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A running emulator's parts, as its request handler reads them. */
interface EmulatorState {
  readonly faults: FaultQueue;
  readonly log: CallLog;
  readonly rate: CallRate;
  /** The delays of calls under way (faults that wait), cleared at close. */
  readonly timers: Set<NodeJS.Timeout>;
  readonly store: CoverStore;
  readonly faultPolicy?: (call: EmulatorCall) => Fault | undefined;
  readonly legacy: ProtocolSide<QueryCheck>;
  readonly api3: ProtocolSide<undefined>;
}

function emulatorState(
  options: VodEmulatorOptions,
  accepted: AcceptedCredentials,
  rate: CallRate,
  store: CoverStore,
): EmulatorState {
  const { now = Date.now } = options;
  const covers = () => store;
  return {
    faults: new FaultQueue(),
    log: new CallLog(options.maxCallRecords ?? 10_000),
    rate,
    timers: new Set(),
    store,
    ...(options.faultPolicy ? { faultPolicy: options.faultPolicy } : {}),
    legacy: legacySide({
      keys: accepted.keys,
      covers,
      now,
      clockSkewSeconds: options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
      maxFileSize: options.maxFileSize ?? MAX_FILE_SIZE,
    }),
    api3: api3Side({
      secretKeys: accepted.secretKeys,
      covers,
      now,
      ...(options.api3ClockSkewSeconds === undefined ? {} : { clockSkewSeconds: options.api3ClockSkewSeconds }),
    }),
  };
}

function route(emulator: EmulatorState, req: IncomingMessage, res: ServerResponse) {
  req.on('error', () => undefined);
  res.on('error', () => undefined);
  const path = (req.url ?? '/').split('?', 1)[0]!;
  // API 3.0: every action is a POST to / with X-TC-Action.
  if (path === '/' && req.method === 'POST' && req.headers['x-tc-action'] !== undefined) {
    return void serveCall(req, res, openCall(emulator, '/', req), emulator.api3, emulator.timers);
  }
  if ((VOD_PATHS as readonly string[]).includes(path)) {
    if (req.method !== 'POST')
      return send(res, undefined, plain(405, 'SmallFileUpload takes POST\n'), { allow: 'POST' });
    return void serveCall(req, res, openCall(emulator, path, req), emulator.legacy, emulator.timers);
  }
  const cover = req.method === 'GET' || req.method === 'HEAD' ? emulator.store.byPath(path) : undefined;
  if (cover) return serveCover(req, res, cover);
  send(res, undefined, plain(404, 'not found\n'));
}

/**
 * A new call record, past the rate or with its fault: the injected queue's next, then the policy's
 * (a call past the rate takes none).
 */
function openCall(emulator: EmulatorState, path: string, req: IncomingMessage): Arrival {
  const { 'x-request-id': requestId, traceparent } = req.headers;
  const call = emulator.log.open(path, {
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  });
  if (!emulator.rate.admit()) return { call, fault: undefined, overRate: true };
  return { call, fault: emulator.faults.take() ?? emulator.faultPolicy?.(call), overRate: false };
}

async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}

async function closeEmulator(emulator: EmulatorState, server: Server): Promise<void> {
  for (const timer of emulator.timers) clearTimeout(timer);
  emulator.timers.clear();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function serveCover(req: IncomingMessage, res: ServerResponse, cover: StoredCover): void {
  res.writeHead(200, {
    'content-type': contentTypeOf(cover.fileType),
    'content-length': cover.bytes.length,
    etag: `"${cover.sha1}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : cover.bytes);
}
