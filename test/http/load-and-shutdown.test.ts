import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { images, jpegOfSize, sha1 } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID, resultOf, sendUpload } from '../helpers/multipart.js';
import { UPLOAD_OPERATIONS, multipartBody, rawPost } from '../helpers/raw-multipart.js';
import { rawConnection } from '../helpers/raw-socket.js';

describe('reused read buffers', () => {
  it('never mixes files: 12 concurrent uploads of the same size, one retried after a dropped connection, each reach VOD byte for byte', async () => {
    await using h = await startGateway();
    // The first call's connection drops before VOD answers: that upload is sent again with the same
    // buffer, while the others take and give back buffers of the same size class around it.
    h.emulator.inject({ kind: 'drop' });
    const files = Array.from({ length: 12 }, (_, i) => jpegOfSize(300_000 + i, i + 1));
    const results = await Promise.all(
      files.map((bytes, i) => sendUpload(h.url, { bytes, filename: 'a.jpg', fileId: `video-${i}` }).then(resultOf)),
    );
    expect(results.map((r) => r.__typename)).toEqual(files.map(() => 'UploadVideoCoverSuccess'));
    expect(h.emulator.calls.filter((c) => c.fault === 'drop')).toHaveLength(1);
    for (const [i, file] of files.entries()) {
      const stored = h.emulator.covers.list().find((c) => c.videoFileId === `video-${i}`);
      expect(stored && sha1(stored.bytes)).toBe(sha1(file));
    }
    // Later, smaller files in the same buffers: nothing of the earlier ones comes along.
    const small = jpegOfSize(200_000, 0x77);
    expect(resultOf(await sendUpload(h.url, { bytes: small, filename: 'b.jpg', fileId: 'video-small' }))).toMatchObject(
      { size: 200_000, sha1: sha1(small) },
    );
  });
});

describe('exactly-once under concurrency', () => {
  it('shares one VOD call among concurrent uploads of the same bytes for the same video', async () => {
    await using h = await startGateway();
    h.emulator.inject({ kind: 'delay', ms: 300 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => sendUpload(h.url, { bytes: images.jpg, filename: 'same.jpg' })).map((p) =>
        p.then(resultOf),
      ),
    );
    expect(h.emulator.callCount).toBe(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toMatchObject({ __typename: 'UploadVideoCoverSuccess', instant: false });
    // Settled, the key is forgotten: the next upload is a call of its own (and an instant one).
    expect(resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'same.jpg' }))).toMatchObject({
      instant: true,
    });
    expect(h.emulator.callCount).toBe(2);
  });

  it('does not share between different videos or different bytes', async () => {
    await using h = await startGateway();
    await Promise.all([
      sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg', fileId: 'one' }),
      sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg', fileId: 'two' }),
      sendUpload(h.url, { bytes: images.png, filename: 'a.png', fileId: 'one' }),
    ]);
    expect(h.emulator.callCount).toBe(3);
  });
});

describe('deadlines and back-pressure', () => {
  it('cuts off a client that trickles its file past the upload deadline, and closes its connection', async () => {
    await using h = await startGateway({ gateway: { uploadDeadlineMs: 400 } });
    const body = multipartBody([
      { name: 'operations', value: UPLOAD_OPERATIONS() },
      { name: 'map', value: '{"0":["variables.file"]}' },
      { name: '0', filename: 'slow.jpg', bytes: images.jpg, contentType: 'image/jpeg' },
    ]);
    const started = Date.now();
    const answer = await rawPost(h.url, body, { trickle: { pieceBytes: 200, everyMs: 20 } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(answer.json?.data?.['uploadVideoCover']).toMatchObject({
      reason: 'UPLOAD_ABORTED',
      canRetry: true,
      code: -10006,
    });
    expect(h.emulator.callCount).toBe(0);
    await expect.poll(() => h.openSockets()).toBe(0);
  });

  it('answers VOD_UNAVAILABLE, canRetry, when VOD calls are at their cap for longer than the wait', async () => {
    await using h = await startGateway({ gateway: { maxConcurrentVodCalls: 1, vodQueueTimeoutMs: 100 } });
    h.emulator.inject({ kind: 'delay', ms: 800 });
    const first = sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg', fileId: 'first' });
    await expect.poll(() => h.emulator.callCount).toBe(1);
    const second = resultOf(await sendUpload(h.url, { bytes: images.png, filename: 'b.png', fileId: 'second' }));
    expect(second).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'VOD_UNAVAILABLE',
      code: -20006,
      canRetry: true,
    });
    expect(resultOf(await first).__typename).toBe('UploadVideoCoverSuccess');
    expect(h.emulator.callCount).toBe(1);
  });

  it('holds a second VOD call until the first ends (maxConcurrentVodCalls 1), then lets it through within the queue timeout', async () => {
    await using h = await startGateway({ gateway: { maxConcurrentVodCalls: 1, vodQueueTimeoutMs: 2000 } });
    h.emulator.inject({ kind: 'delay', ms: 200 });
    const results = await Promise.all([
      sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg', fileId: 'first' }),
      sendUpload(h.url, { bytes: images.png, filename: 'b.png', fileId: 'second' }),
    ]);
    expect(results.map((r) => resultOf(r).__typename)).toEqual(['UploadVideoCoverSuccess', 'UploadVideoCoverSuccess']);
    const [first, second] = h.emulator.calls;
    expect(first!.fault).toBe('delay');
    // The gate: the second call reached VOD only once the first had its answer.
    expect(second!.receivedAt).toBeGreaterThanOrEqual(first!.endedAt!);
  });

  it('closes a connection that sends no headers within headersTimeout', async () => {
    await using h = await startGateway({ gateway: { headersTimeoutMs: 300, requestTimeoutMs: 500 } });
    const started = Date.now();
    const { socket, closed } = rawConnection(h.url);
    socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
    await closed;
    const closedAfter = Date.now() - started;
    expect(closedAfter).toBeLessThan(5000);
  });
});

describe('keep-alive', () => {
  it('keeps an idle connection open for 65 s by default, longer than the proxies in front wait (Node: 5 s)', async () => {
    await using h = await startGateway();
    expect(h.gateway.server.keepAliveTimeout).toBe(65_000);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    await using h = await startGateway({ gateway: { keepAliveTimeoutMs: 300 } });
    const { socket, received, closed } = rawConnection(h.url);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => received()).toContain('HTTP/1.1 200');
    const answeredAt = Date.now();
    await closed;
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(250);
    expect(Date.now() - answeredAt).toBeLessThan(3000);
  });
});

describe('graceful shutdown', () => {
  it('lets an upload in flight finish, and takes no new request', async () => {
    const h = await startGateway({ gateway: { shutdownGraceMs: 5000 } });
    h.emulator.inject({ kind: 'delay', ms: 500 });
    const inFlight = sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg' });
    await expect.poll(() => h.emulator.callCount).toBe(1);
    const closing = h.gateway.close();
    const later = await sendUpload(h.url, { bytes: images.png, filename: 'b.png' }).then(
      (answer) => answer.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(later);
    expect(resultOf(await inFlight)).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      videoFileId: VIDEO_FILE_ID,
    });
    await closing;
    await h.emulator.close();
  });

  it('answers /ready 503 for shutdownDelayMs while still serving, then closes the listener', async () => {
    const h = await startGateway({ gateway: { shutdownDelayMs: 600 } });
    const origin = new URL(h.url).origin;
    const closing = h.gateway.close();
    const ready = await request(`${origin}/ready`);
    expect(ready.statusCode).toBe(503);
    expect(await ready.body.json()).toMatchObject({ status: 'not ready', checks: { accepting: false } });
    expect(resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    expect(h.gateway.server.listening).toBe(true);
    await closing;
    expect(h.gateway.server.listening).toBe(false);
    await h.emulator.close();
  });
});
