import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { images, sha1 } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID, resultOf, sendUpload } from '../helpers/multipart.js';

const origin = (url: string) => new URL(url).origin;

async function get(url: string) {
  const res = await request(url);
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

/** The value of one sample line of a Prometheus text exposition. */
function sample(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? Number.NaN : Number(found.slice(line.length + 1));
}

describe('/health and /ready', () => {
  it('are alive and ready next to a running VOD', async () => {
    await using h = await startGateway();
    expect(await get(`${origin(h.url)}/health`)).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    const ready = await get(`${origin(h.url)}/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready', checks: { ledger: true, vod: true, accepting: true } });
  });

  it('is not ready when VOD cannot be reached', async () => {
    await using h = await startGateway({ vod: { baseUrl: 'http://127.0.0.1:1' } });
    const ready = await get(`${origin(h.url)}/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ status: 'not ready', checks: { vod: false, ledger: true } });
    expect((await get(`${origin(h.url)}/health`)).status).toBe(200);
  });
});

describe('/metrics', () => {
  it('shows the counters moving after a few uploads', async () => {
    await using h = await startGateway();
    const metricsUrl = `${origin(h.url)}/metrics`;
    const before = await get(metricsUrl);
    expect(before.status).toBe(200);
    expect(before.type).toContain('text/plain');
    expect(before.text).toContain('process_cpu_user_seconds_total');

    h.emulator.inject({ kind: 'answer', code: -10004, canRetry: 1 }, 1);
    await sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg' });
    h.emulator.inject({ kind: 'delay', ms: 200 });
    await Promise.all([1, 2, 3].map(() => sendUpload(h.url, { bytes: images.png, filename: 'b.png' })));
    await sendUpload(h.url, { bytes: images.png, filename: 'bad:name.png' });

    const after = (await get(metricsUrl)).text;
    expect(sample(after, 'vod_cover_uploads_total{outcome="success",reason="none"}')).toBe(4);
    expect(sample(after, 'vod_cover_uploads_total{outcome="error",reason="INVALID_FILE_NAME"}')).toBe(1);
    expect(sample(after, 'vod_cover_upload_bytes_received_total')).toBe(images.jpg.length + 3 * images.png.length);
    expect(sample(after, 'vod_cover_upload_size_bytes_count')).toBe(4);
    expect(sample(after, 'vod_cover_vod_call_duration_seconds_count{result="ok"}')).toBe(2);
    expect(sample(after, 'vod_cover_vod_retries_total')).toBe(1);
    expect(sample(after, 'vod_cover_single_flight_joins_total')).toBe(2);
    expect(sample(after, 'vod_cover_uploads_in_flight')).toBe(0);
  });
});

describe('structured logs', () => {
  it('write one line per upload with the request id and what happened, and nothing secret', async () => {
    const lines: Record<string, unknown>[] = [];
    let raw = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    await using h = await startGateway({ gateway: { logger: pino({ level: 'info' }, sink) } });
    const ok = await sendUpload(h.url, {
      bytes: images.jpg,
      filename: 'a.jpg',
      headers: { 'x-graphql-yoga-csrf': '1', 'x-request-id': 'req-42' },
    });
    expect(resultOf(ok).__typename).toBe('UploadVideoCoverSuccess');
    h.emulator.inject({ kind: 'answer', code: -10002, canRetry: 0 });
    await sendUpload(h.url, { bytes: images.png, filename: 'b.png' });
    await expect.poll(() => lines.length).toBe(2);
    expect(lines[0]).toMatchObject({
      msg: 'upload',
      requestId: 'req-42',
      videoFileId: VIDEO_FILE_ID,
      size: images.jpg.length,
      sha1: sha1(images.jpg),
      outcome: 'success',
      vodCode: 0,
      attempts: 1,
      durationMs: expect.any(Number),
    });
    expect(lines[1]).toMatchObject({
      outcome: 'error',
      reason: 'VOD_REJECTED',
      vodCode: -10002,
      attempts: 1,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(raw).not.toContain(DEV_CREDENTIAL.secretKey);
    expect(raw).not.toContain(images.jpg.subarray(100, 140).toString('base64'));
  });
});
