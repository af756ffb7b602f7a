/**
 * The ids support asks for: the gateway's request id goes to VOD as `x-request-id` (either API),
 * and VOD's own RequestId (API 3.0) comes back on the error member as `vodRequestId` and in the
 * upload's log line.
 */
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { resultOf, sendUpload, uploadForm } from '../helpers/multipart.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const headers = { 'x-graphql-yoga-csrf': '1', 'x-request-id': 'req-vod-1' };

/** A pino logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe.each(['legacy', 'v3'] as const)('on the %s API', (vodApi) => {
  it("sends the request's id to VOD as x-request-id", async () => {
    await using h = await startGateway({ gateway: { vodApi } });
    expect(resultOf(await sendUpload(h.url, { bytes: images.png, filename: 'a.png', headers })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    expect(h.emulator.calls.map((c) => c.requestId)).toEqual(['req-vod-1']);
  });
});

describe("VOD's RequestId", () => {
  it('is on the error member and in the log line (API 3.0)', async () => {
    const { logger, lines } = capturedLogger();
    await using h = await startGateway({ gateway: { vodApi: 'v3', logger } });
    const query = `mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) { ... on UploadVideoCoverError { reason vodRequestId } } }`;
    h.emulator.inject({ kind: 'api3-error', code: 'InvalidParameterValue.FileId', message: 'no such video' });
    const fd = uploadForm({ bytes: images.png, filename: 'a.png', fileId: 'v1', query });
    const res = await fetch(h.url, { method: 'POST', body: fd, headers });
    const answer = ((await res.json()) as { data: { uploadVideoCover: { reason: string; vodRequestId: string } } }).data
      .uploadVideoCover;
    expect(answer.reason).toBe('VOD_REJECTED');
    expect(answer.vodRequestId).toMatch(UUID);
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.filter((line) => line['msg'] === 'upload').map((line) => line['vodRequestId']);
    expect(logged).toEqual([answer.vodRequestId]);
  });

  it('is null on the legacy API, which gives none', async () => {
    await using h = await startGateway();
    h.emulator.inject({ kind: 'answer', code: -10003, canRetry: 0, message: 'bad' });
    const query = `mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) { ... on UploadVideoCoverError { reason vodRequestId } } }`;
    const fd = uploadForm({ bytes: images.png, filename: 'a.png', fileId: 'v1', query });
    const res = await fetch(h.url, { method: 'POST', body: fd, headers });
    expect(await res.json()).toEqual({ data: { uploadVideoCover: { reason: 'VOD_REJECTED', vodRequestId: null } } });
  });
});
