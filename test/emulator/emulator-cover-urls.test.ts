/**
 * `npm start` without credentials serves on every address (HOST=0.0.0.0) while its embedded
 * emulator listens on loopback only: the covers' urls must still work through the address the
 * client used, this machine's own network address as much as a name. The gateway serves the
 * emulator's covers on its own listener, and names in each answer the origin the request came to.
 */
import { networkInterfaces } from 'node:os';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images, sha1 } from '../fixtures/images.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { type RunningService, startService } from '../helpers/service.js';

/** An address of this machine that is not loopback, when it has one. */
const machineAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && !address.internal && address.family === 'IPv4')?.address;
/** Two hosts a client may use for the one service: the machine's address (or 127.0.0.1), and a name. */
const HOSTS = [machineAddress ?? '127.0.0.1', 'localhost'];
/** Where the emulator's covers are, after the origin: `/vod{appId}/{videoFileId}/{coverFileId}.{type}`. */
const COVER_PATH = /^\/vod1250000000\/[0-9A-Za-z_-]+\/[0-9]{18}\.jpg$/;

let service: RunningService;
let port: string;
beforeAll(async () => {
  service = await startService({ HOST: '0.0.0.0', VOD_API: undefined });
  port = new URL(service.url).port;
});
afterAll(async () => {
  await service?.stop();
});

/** `videoCover(fileId)`'s url, asked through `base`. */
async function storedCoverUrl(base: string, fileId: string): Promise<string | undefined> {
  const answer = await request(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query ($id: ID!) { videoCover(fileId: $id) { url } }', variables: { id: fileId } }),
  });
  return ((await answer.body.json()) as { data?: { videoCover?: { url: string } } }).data?.videoCover?.url;
}

describe('the embedded emulator’s cover urls, with the gateway on every address', () => {
  it.each(HOSTS)('name the origin the client used (%s), where the cover is served', async (host) => {
    const base = `http://${host}:${port}`;
    const fileId = `through-${host.replaceAll('.', '-')}`;
    const result = resultOf(await sendUpload(`${base}/graphql`, { bytes: images.jpg, filename: 'cover.jpg', fileId }));
    expect(result.__typename).toBe('UploadVideoCoverSuccess');
    const url = new URL((result as { url: string }).url);
    expect([url.origin, COVER_PATH.test(url.pathname)]).toEqual([base, true]);
    const served = await request(url);
    expect([served.statusCode, served.headers['content-type']]).toEqual([200, 'image/jpeg']);
    expect(sha1(Buffer.from(await served.body.arrayBuffer()))).toBe(sha1(images.jpg));
  });

  it('give each client its own origin: a cover stored through one address is named through the other', async () => {
    const [first, second] = HOSTS.map((host) => `http://${host}:${port}`) as [string, string];
    const stored = resultOf(
      await sendUpload(`${first}/graphql`, { bytes: images.png, filename: 'cover.png', fileId: 'asked-elsewhere' }),
    ) as { url: string };
    const { pathname } = new URL(stored.url);
    expect(await storedCoverUrl(first, 'asked-elsewhere')).toBe(`${first}${pathname}`);
    expect(await storedCoverUrl(second, 'asked-elsewhere')).toBe(`${second}${pathname}`);
    const served = await request(`${second}${pathname}`);
    expect(sha1(Buffer.from(await served.body.arrayBuffer()))).toBe(sha1(images.png));
  });

  it('answer HEAD with the headers alone; any other method, or a path of no cover, goes on to GraphQL', async () => {
    const base = `http://127.0.0.1:${port}`;
    const stored = resultOf(
      await sendUpload(`${base}/graphql`, { bytes: images.jpg, filename: 'cover.jpg', fileId: 'head' }),
    ) as { url: string };
    const { pathname } = new URL(stored.url);
    const head = await request(`${base}${pathname}`, { method: 'HEAD' });
    expect([head.statusCode, head.headers['content-length'], head.headers.etag]).toEqual([
      200,
      String(images.jpg.length),
      `"${sha1(images.jpg)}"`,
    ]);
    expect((await head.body.arrayBuffer()).byteLength).toBe(0);
    for (const [method, path] of [
      ['POST', pathname],
      ['DELETE', pathname],
      ['GET', pathname.replace(/[0-9]{18}/, '1'.repeat(18))],
      ['GET', `${pathname}/..`],
    ] as const) {
      const other = await request(`${base}${path}`, { method });
      await other.body.dump();
      expect([method, path, other.statusCode]).toEqual([method, path, 404]);
    }
  });
});
