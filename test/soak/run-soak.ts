/**
 * The fault soak: many uploads at once through the real gateway into an emulator that injects a
 * mix of faults, plus clients that abort mid-body; then every upload is accounted for from the
 * emulator's own records and the clients' answers. Used by `npm run soak` and, shorter, by
 * `npm test`.
 */
import type { Fault } from '../../src/emulator/faults.js';
import type { EmulatorCall } from '../../src/emulator/server.js';
import { imageVariant, images, sha1 } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { sendUpload } from '../helpers/multipart.js';
import { BOUNDARY, UPLOAD_OPERATIONS, multipartBody } from '../helpers/raw-multipart.js';
import { sendThenHangUp } from '../helpers/raw-socket.js';

export interface SoakOptions {
  uploads: number;
  concurrency: number;
  /** Seed of the fault mix and of the aborting clients. */
  seed?: number;
  /** Which VOD API the gateway speaks to the emulator. @default 'legacy' */
  vodApi?: 'legacy' | 'v3';
}

export interface SoakTally {
  uploads: number;
  succeeded: number;
  instant: number;
  failed: Record<string, number>;
  abortedByClient: number;
  lost: number;
  duplicated: number;
  unexplained: string[];
  vodCalls: number;
  faults: Record<string, number>;
  openSocketsAfter: number;
  rssGrowthMb: number;
  seconds: number;
}

/** Faults a VOD call can meet, weighted; `canRetry` is what the client should be told. */
const FAULT_MIX: { weight: number; fault: Fault | undefined }[] = [
  { weight: 50, fault: undefined },
  { weight: 10, fault: { kind: 'answer', code: -10004, canRetry: 1 } },
  { weight: 4, fault: { kind: 'answer', code: -10002, canRetry: 0 } },
  { weight: 5, fault: { kind: 'delay', ms: 2500 } }, // past the VOD deadline below
  { weight: 5, fault: { kind: 'delay', ms: 150 } },
  { weight: 6, fault: { kind: 'drop' } },
  { weight: 5, fault: { kind: 'drop', afterStore: true } },
  { weight: 8, fault: { kind: 'status', status: 502 } },
  { weight: 7, fault: { kind: 'malformed' } },
];

/** mulberry32: a small seeded generator, so a failing soak can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function faultLabel(fault: Fault | undefined): string {
  if (!fault) return 'none';
  if (fault.kind === 'answer') return `answer ${fault.code}`;
  if (fault.kind === 'delay') return `delay ${fault.ms}ms`;
  if (fault.kind === 'drop') return fault.afterStore ? 'drop after store' : 'drop';
  if (fault.kind === 'status') return `status ${fault.status}`;
  return fault.kind;
}

export async function runSoak(options: SoakOptions): Promise<SoakTally> {
  const { uploads, concurrency, seed = 20261127 } = options;
  const rand = random(seed);
  const total = FAULT_MIX.reduce((sum, f) => sum + f.weight, 0);
  const faultOf = new Map<number, Fault | undefined>();
  const pick = (call: EmulatorCall): Fault | undefined => {
    let r = rand() * total;
    for (const entry of FAULT_MIX) {
      r -= entry.weight;
      if (r < 0) {
        faultOf.set(call.seq, entry.fault);
        return entry.fault;
      }
    }
    return undefined;
  };
  const harness = await startGateway({
    vod: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 40, deadlineMs: 1500 } },
    emulator: { faultPolicy: pick },
    // Idle keep-alive connections close after 1 s (65 s by default), so that a socket still open
    // once the uploads are done is one stuck in a request, which is what the soak counts.
    gateway: { keepAliveTimeoutMs: 1000, vodApi: options.vodApi ?? 'legacy' },
  });
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();

  type Outcome =
    | { kind: 'answer'; result: Record<string, unknown> }
    | { kind: 'aborted' }
    | { kind: 'http'; detail: string };
  interface Job {
    videoFileId: string;
    bytes: Buffer;
    sha1: string;
    aborts: boolean;
    outcome?: Outcome | undefined;
  }
  const jobs: Job[] = [];
  for (let i = 0; i < uploads; i++) {
    // Every tenth upload repeats the one before (same video, same bytes): single-flight's case.
    if (i % 10 === 9) {
      const previous = jobs[i - 1]!;
      jobs.push({ ...previous, aborts: false, outcome: undefined });
      continue;
    }
    const bytes = imageVariant(images.jpg, i);
    jobs.push({
      videoFileId: `soak-video-${i % 97}`,
      bytes,
      sha1: sha1(bytes),
      aborts: rand() < 0.05,
    });
  }

  let next = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      if (job.aborts) {
        await abortMidBody(harness.url, job.videoFileId, job.bytes);
        job.outcome = { kind: 'aborted' };
        continue;
      }
      try {
        const answer = await sendUpload(harness.url, {
          bytes: job.bytes,
          filename: 'cover.jpg',
          fileId: job.videoFileId,
        });
        const result = answer.body.data?.uploadVideoCover as Record<string, unknown> | undefined;
        job.outcome =
          result && answer.status === 200
            ? { kind: 'answer', result }
            : { kind: 'http', detail: `${answer.status} ${JSON.stringify(answer.body)}` };
      } catch (error) {
        job.outcome = { kind: 'http', detail: String(error) };
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;

  // Let late VOD answers (delays past the deadline) land before reading the emulator's records.
  await new Promise((resolve) => setTimeout(resolve, 2700));
  const callsByKey = new Map<string, EmulatorCall[]>();
  for (const call of harness.emulator.calls) {
    const key = `${call.videoFileId}\n${call.sha1}`;
    callsByKey.set(key, [...(callsByKey.get(key) ?? []), call]);
  }
  const stored = new Map(harness.emulator.covers.list().map((c) => [`${c.videoFileId}\n${c.sha1}`, c]));

  const tally: SoakTally = {
    uploads,
    succeeded: 0,
    instant: 0,
    failed: {},
    abortedByClient: 0,
    lost: 0,
    duplicated: 0,
    unexplained: [],
    vodCalls: harness.emulator.callCount,
    faults: {},
    openSocketsAfter: 0,
    rssGrowthMb: 0,
    seconds,
  };
  for (const call of harness.emulator.calls) {
    const label = faultLabel(faultOf.get(call.seq));
    tally.faults[label] = (tally.faults[label] ?? 0) + 1;
  }
  for (const [key, calls] of callsByKey) {
    if (calls.filter((c) => c.code === 0).length > 1) tally.duplicated++;
    void key;
  }
  for (const job of jobs) {
    const key = `${job.videoFileId}\n${job.sha1}`;
    const calls = callsByKey.get(key) ?? [];
    const faults = calls.map((c) => faultOf.get(c.seq));
    const outcome = job.outcome!;
    if (outcome.kind === 'aborted') {
      tally.abortedByClient++;
      continue;
    }
    if (outcome.kind === 'http') {
      tally.unexplained.push(`${key}: no union answer (${outcome.detail.slice(0, 200)})`);
      continue;
    }
    const result = outcome.result;
    if (result['__typename'] === 'UploadVideoCoverSuccess') {
      tally.succeeded++;
      if (result['instant']) tally.instant++;
      const cover = stored.get(key);
      if (!cover || sha1(cover.bytes) !== job.sha1 || result['sha1'] !== job.sha1 || result['url'] !== cover.url) {
        tally.lost++;
        tally.unexplained.push(`${key}: success, but VOD does not hold these bytes at that url`);
      }
      continue;
    }
    const reason = String(result['reason']);
    tally.failed[reason] = (tally.failed[reason] ?? 0) + 1;
    const retryableFault = faults.some(
      (f) => f !== undefined && !(f.kind === 'answer' && f.canRetry === 0) && !(f.kind === 'delay' && f.ms < 1500),
    );
    const rejectingFault = faults.some((f) => f?.kind === 'answer' && f.canRetry === 0);
    const explained =
      (reason === 'VOD_UNAVAILABLE' && result['canRetry'] === true && (retryableFault || result['code'] === -20006)) ||
      (reason === 'VOD_REJECTED' && result['canRetry'] === false && rejectingFault);
    if (!explained)
      tally.unexplained.push(`${key}: ${JSON.stringify(result)} after faults [${faults.map(faultLabel).join(', ')}]`);
  }

  // Aborted uploads must never have reached VOD.
  for (const job of jobs.filter((j) => j.outcome?.kind === 'aborted')) {
    const key = `${job.videoFileId}\n${job.sha1}`;
    const twin = jobs.some((j) => j !== job && j.outcome?.kind !== 'aborted' && `${j.videoFileId}\n${j.sha1}` === key);
    if (!twin && (callsByKey.get(key)?.length ?? 0) > 0)
      tally.unexplained.push(`${key}: aborted by its client, yet VOD was called`);
  }

  for (let i = 0; i < 50 && harness.openSockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  tally.openSocketsAfter = harness.openSockets();
  tally.rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  await harness.close();
  return tally;
}

/** A client that sends half of its file, then hangs up. */
function abortMidBody(url: string, videoFileId: string, bytes: Buffer): Promise<void> {
  const body = multipartBody([
    { name: 'operations', value: UPLOAD_OPERATIONS(videoFileId) },
    { name: 'map', value: '{"0":["variables.file"]}' },
    { name: '0', filename: 'cover.jpg', bytes, contentType: 'image/jpeg' },
  ]);
  const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-graphql-yoga-csrf: 1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return sendThenHangUp(url, [head, body.subarray(0, Math.floor(body.length / 2))], 20);
}

export function formatTally(t: SoakTally): string {
  const failed =
    Object.entries(t.failed)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ') || 'none';
  const faults = Object.entries(t.faults)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f} ${n}`)
    .join(', ');
  return [
    `soak: ${t.uploads} uploads in ${t.seconds.toFixed(1)} s`,
    `  succeeded ${t.succeeded} (instant ${t.instant}); failed with canRetry as explained: ${failed}; aborted by their clients ${t.abortedByClient}`,
    `  VOD calls ${t.vodCalls}: ${faults}`,
    `  lost ${t.lost}, duplicated ${t.duplicated}, unexplained ${t.unexplained.length}`,
    `  gateway sockets open after: ${t.openSocketsAfter}; process RSS growth ${t.rssGrowthMb.toFixed(1)} MB`,
    ...t.unexplained.slice(0, 10).map((u) => `  unexplained: ${u}`),
  ].join('\n');
}
