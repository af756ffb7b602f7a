/**
 * CORS as a browser enforces it (Debian's Chromium, driven by playwright-core): pages served from
 * two other origins on loopback try to upload a cover with fetch + FormData. Only the origin in
 * `corsOrigins` can; the other cannot, with or without credentials, and VOD is never called for it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { UPLOAD_OPERATIONS } from '../helpers/raw-multipart.js';

const browserAt = inject('chromium');

/** A page server on its own port: another origin than the gateway's. */
async function startPageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>app</title><p>app</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.skipIf('missing' in browserAt)('CORS in Chromium', () => {
  let browser: Browser;
  let h: StartedGateway;
  let allowed: Awaited<ReturnType<typeof startPageServer>>;
  let foreign: Awaited<ReturnType<typeof startPageServer>>;
  beforeAll(async () => {
    allowed = await startPageServer();
    foreign = await startPageServer();
    h = await startGateway({ gateway: { corsOrigins: [allowed.origin] } });
    browser = await chromium.launch({
      ...('path' in browserAt ? { executablePath: browserAt.path } : {}),
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    for (const page of [allowed, foreign]) page?.server.close();
  });

  /** Runs fetch + FormData in a page of `origin`; says what the page could read, or the error it got. */
  async function uploadFrom(
    origin: string,
    init: { credentials: RequestCredentials; csrfHeader: boolean },
  ): Promise<string> {
    await using page = await browser.newPage();
    await page.goto(origin);
    return await page.evaluate(
      async ({ url, operations, bytes, credentials, csrfHeader }) => {
        const form = new FormData();
        form.append('operations', operations);
        form.append('map', JSON.stringify({ 0: ['variables.file'] }));
        form.append('0', new File([new Uint8Array(bytes)], 'cover.png', { type: 'image/png' }));
        try {
          const res = await fetch(url, {
            method: 'POST',
            body: form,
            credentials,
            headers: csrfHeader ? { 'x-graphql-yoga-csrf': '1' } : {},
          });
          return `${res.status} ${await res.text()}`;
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      },
      { url: h.url, operations: UPLOAD_OPERATIONS(), bytes: [...images.png], ...init },
    );
  }

  it.each<[string, RequestCredentials, boolean]>([
    ['with credentials', 'include', true],
    ['without credentials', 'omit', true],
    ['without the CSRF header (no preflight: sent, refused 403)', 'include', false],
  ])(
    'a page from an origin not listed cannot upload, %s, and VOD is never called',
    async (_name, credentials, csrfHeader) => {
      h.reset();
      expect(await uploadFrom(foreign.origin, { credentials, csrfHeader })).toBe('blocked: TypeError');
      expect(h.emulator.callCount).toBe(0);
    },
  );

  it('a page from the listed origin uploads, with credentials, and reads the answer', async () => {
    h.reset();
    const answer = await uploadFrom(allowed.origin, { credentials: 'include', csrfHeader: true });
    expect(answer).toMatch(/^200 \{"data":\{"uploadVideoCover":\{"__typename":"UploadVideoCoverSuccess"/);
    expect(h.emulator.callCount).toBe(1);
  });
});
