/**
 * An egress proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY): VOD's uploads and the readiness check go
 * through a real forward proxy on loopback that counts what it carried; NO_PROXY's hosts do not.
 */
import { type IncomingMessage, createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

/** A forward proxy as corporate egress proxies are: CONNECT tunnels, counted with their bytes. */
function startForwardProxy() {
  const tunnels: { target: string; bytes: number; authorization?: string }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end('tunnels only\n'));
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    const authorization = req.headers['proxy-authorization'];
    const tunnel = { target: req.url ?? '', bytes: 0, ...(authorization ? { authorization } : {}) };
    tunnels.push(tunnel);
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      client.on('data', (chunk: Buffer) => (tunnel.bytes += chunk.length));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
  });
  return new Promise<{ url: string; tunnels: typeof tunnels; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        tunnels,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    }),
  );
}

let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
beforeAll(async () => {
  proxy = await startForwardProxy();
});
beforeEach(() => {
  proxy.tunnels.length = 0;
});
afterAll(() => proxy.close());

describe('VOD behind an egress proxy', () => {
  it('sends the upload through the proxy, the whole file through its tunnel', async () => {
    await using h = await startGateway({ vod: { proxy: { httpProxy: proxy.url, noProxy: '' } } });
    const answer = resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(answer).toMatchObject({ __typename: 'UploadVideoCoverSuccess', size: images.jpg.length });
    expect(proxy.tunnels.map((t) => t.target)).toEqual([new URL(h.emulator.url).host]);
    expect(proxy.tunnels[0]!.bytes).toBeGreaterThan(images.jpg.length);
  });

  it('checks readiness through the proxy, and is not ready when the proxy is down', async () => {
    await using h = await startGateway({ vod: { proxy: { httpProxy: proxy.url, noProxy: '' } } });
    const ready = await fetch(new URL('/ready', h.url));
    expect(ready.status).toBe(200);
    expect(proxy.tunnels).toHaveLength(1);
    await using down = await startGateway({ vod: { proxy: { httpProxy: 'http://127.0.0.1:9', noProxy: '' } } });
    expect((await fetch(new URL('/ready', down.url))).status).toBe(503);
  });

  it('goes direct to a NO_PROXY host: the proxy carries nothing', async () => {
    await using h = await startGateway({ vod: { proxy: { httpProxy: proxy.url, noProxy: '127.0.0.1' } } });
    expect(resultOf(await sendUpload(h.url, { bytes: images.jpg, filename: 'cover.jpg' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    expect(proxy.tunnels).toEqual([]);
  });

  it('the service honours HTTP_PROXY from its environment (its embedded emulator too)', async () => {
    await using service = await startService({ HTTP_PROXY: proxy.url, NO_PROXY: '' });
    const answer = resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(answer.__typename).toBe('UploadVideoCoverSuccess');
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
  });

  it('the service takes a proxy URL with a user and password, and sends them to the proxy only', async () => {
    const withUser = proxy.url.replace('http://', 'http://proxy-user:hunter2-pw@');
    await using service = await startService({ HTTP_PROXY: withUser, NO_PROXY: '', LOG_LEVEL: 'info' });
    const answer = resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(answer.__typename).toBe('UploadVideoCoverSuccess');
    expect(proxy.tunnels.map((t) => t.authorization)).toContain(
      `Basic ${Buffer.from('proxy-user:hunter2-pw').toString('base64')}`,
    );
    expect(service.printed()).not.toMatch(/hunter2|proxy-user/);
  });
});
