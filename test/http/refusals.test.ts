/**
 * A request refused before its body is needed (401, 403, 404, 405, 413, 415; by Yoga, a Yoga
 * plugin or a route outside Yoga) costs at most what the server had already read when it
 * answered: the connection is closed after the answer instead of the body being read and thrown
 * away. The client sends as fast as the connection takes it, for up to 200 MB or 5 s.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { rawConnection } from '../helpers/raw-socket.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!';
/** What the server may read of a refused body: one socket read (64 KiB) past the head, and the next one in flight. */
const READ_BOUND = 2 * 64 * 1024;
const SEND_AT_MOST = 200 * 1024 * 1024;

type Framing = 'length' | 'chunked';

/**
 * Sends `head`, then body bytes as fast as the connection takes them, until the server closes it
 * (or 5 s, or 200 MB). Resolves with the status, the bytes sent, and the time the close took.
 */
function sendEndlessly(
  url: string,
  head: string,
  framing: Framing,
): Promise<{ status: number; sentBytes: number; ms: number; closedByServer: boolean }> {
  const { socket, received, closed } = rawConnection(url);
  const started = performance.now();
  const piece = Buffer.alloc(64 * 1024, 0x7b);
  const framed =
    framing === 'chunked'
      ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
      : piece;
  let sent = 0;
  let closedByServer = false;
  socket.on('end', () => (closedByServer = true));
  socket.on('error', () => (closedByServer = true));
  const giveUp = setTimeout(() => socket.destroy(), 5000);
  const pump = (): void => {
    while (!socket.destroyed && sent < SEND_AT_MOST) {
      sent += framed.length;
      if (!socket.write(framed)) return void socket.once('drain', pump);
    }
  };
  socket.write(head);
  pump();
  return closed.then(() => {
    clearTimeout(giveUp);
    return {
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received())?.[1] ?? 0),
      sentBytes: sent,
      ms: performance.now() - started,
      closedByServer,
    };
  });
}

function head(
  url: string,
  options: {
    method?: string;
    path?: string;
    type: string;
    framing: Framing;
    headers?: Record<string, string>;
    length?: number;
  },
): string {
  const { host, pathname } = new URL(url);
  return [
    `${options.method ?? 'POST'} ${options.path ?? pathname} HTTP/1.1`,
    `Host: ${host}`,
    `Content-Type: ${options.type}`,
    options.framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${options.length ?? SEND_AT_MOST}`,
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
}

const JSON_TYPE = 'application/json';

describe.each<[Framing]>([['length'], ['chunked']])('a refused request with a body (%s)', (framing) => {
  describe('with authentication on', () => {
    let h: StartedGateway;
    beforeAll(async () => {
      h = await startGateway({ gateway: { auth: { jwt: { secret: SECRET } } } });
    });
    beforeEach(() => h.reset());
    afterAll(async () => {
      await h.close();
    });

    it.each([
      ['a JSON POST without a token', {}],
      ['a JSON POST with a bad token', { authorization: 'Bearer not.a-jwt' }],
    ])('answers %s 401, reads at most 128 KiB of it, and closes the connection', async (_name, headers) => {
      const answer = await sendEndlessly(h.url, head(h.url, { type: JSON_TYPE, framing, headers }), framing);
      expect(answer).toMatchObject({ status: 401, closedByServer: true });
      expect(h.bytesRead()).toBeLessThan(READ_BOUND);
      expect(answer.ms).toBeLessThan(2000);
      const token = await new SignJWT({ scope: 'covers:write', exp: Math.floor(Date.now() / 1000) + 60 })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(SECRET));
      expect(
        resultOf(
          await sendUpload(h.url, {
            bytes: images.jpg,
            filename: 'a.jpg',
            headers: { 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${token}` },
          }),
        ).__typename,
      ).toBe('UploadVideoCoverSuccess');
    });
  });

  describe('on any deployment', () => {
    let h: StartedGateway;
    beforeAll(async () => {
      h = await startGateway();
    });
    beforeEach(() => h.reset());
    afterAll(async () => {
      await h.close();
    });

    it.each<[string, number, Parameters<typeof head>[1]]>([
      ['a text/plain POST without a CSRF header (CSRF)', 403, { type: 'text/plain', framing }],
      ['a PUT', 405, { method: 'PUT', type: JSON_TYPE, framing }],
      ['a POST to a path that is not GraphQL', 404, { path: '/nothing-here', type: JSON_TYPE, framing }],
      ['a POST to /metrics (an operator path, which takes GET)', 404, { path: '/metrics', type: JSON_TYPE, framing }],
      ['a POST of application/xml', 415, { type: 'application/xml', framing, headers: { 'x-graphql-yoga-csrf': '1' } }],
      // A chunked body declares no length: the next test is its case.
      ...(framing === 'length'
        ? [
            ['a JSON POST that declares 200 MB', 413, { type: JSON_TYPE, framing }] as [
              string,
              number,
              Parameters<typeof head>[1],
            ],
          ]
        : []),
    ])('answers %s %i, reads at most 128 KiB of it, and closes the connection', async (_name, status, options) => {
      const answer = await sendEndlessly(h.url, head(h.url, options), framing);
      expect(answer).toMatchObject({ status, closedByServer: true });
      expect(h.bytesRead()).toBeLessThan(READ_BOUND);
      expect(answer.ms).toBeLessThan(2000);
      expect(resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg' })).__typename).toBe(
        'UploadVideoCoverSuccess',
      );
    });
  });
});

describe('a chunked JSON body, which declares no length', () => {
  let h: StartedGateway;
  beforeAll(async () => {
    h = await startGateway();
  });
  afterAll(async () => {
    await h.close();
  });

  it('is answered 413 as it passes 1 MiB, and no more than that and 128 KiB of it is read', async () => {
    const answer = await sendEndlessly(h.url, head(h.url, { type: JSON_TYPE, framing: 'chunked' }), 'chunked');
    expect(answer).toMatchObject({ status: 413, closedByServer: true });
    expect(h.bytesRead()).toBeLessThan(1_048_576 + READ_BOUND);
    expect(answer.ms).toBeLessThan(2000);
    expect(resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'a.jpg' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
  });
});
