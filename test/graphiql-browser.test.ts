/**
 * GraphiQL in a real browser (Debian's Chromium, driven by playwright-core): the page and every
 * asset come from the service itself; a user attaches a real JPEG, runs the default mutation,
 * sees the success member, and the cover's url shows the image. A screenshot is saved to
 * test-output/graphiql-upload.png.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { images, sha1 } from './fixtures/images.js';
import { startGateway, type GatewayHarness } from './helpers/gateway.js';

const browserAt = inject('chromium');
const OUTPUT = new URL('../test-output/', import.meta.url);

describe.skipIf('missing' in browserAt)('GraphiQL in Chromium', () => {
  let browser: Browser;
  let h: GatewayHarness & { close(): Promise<void> };
  beforeAll(async () => {
    h = await startGateway();
    browser = await chromium.launch({
      executablePath: 'path' in browserAt ? browserAt.path : undefined,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
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
  });

  it('uploads a JPEG chosen in the upload panel, shows the success member, and its url serves the image', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const origin = new URL(h.url).origin;
    const foreign: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(h.url, { waitUntil: 'load' });
    await page.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
    await page
      .locator('.graphiql-query-editor')
      .getByText('uploadVideoCover', { exact: false })
      .first()
      .waitFor({ timeout: 30_000 });

    await page.setInputFiles('#upload-file', new URL('./fixtures/cover.jpg', import.meta.url).pathname);
    await expect.poll(() => page.locator('#upload-status').innerText()).toContain('cover.jpg');
    await page.locator('.graphiql-execute-button').click();

    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.innerText(), { timeout: 30_000 }).toContain('UploadVideoCoverSuccess');
    const text = await response.innerText();
    // The result pane wraps long lines on screen; a url holds no white space.
    const url = /"url":\s*"([^"]+)"/.exec(text)?.[1]?.replace(/\s+/g, '');
    expect(url).toBeDefined();
    expect(text).toContain(sha1(images.jpg));
    const [stored] = h.emulator.covers.list();
    expect(url, text).toBe(stored!.url);
    expect(stored!.bytes.equals(images.jpg)).toBe(true);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: new URL('graphiql-upload.png', OUTPUT).pathname });

    const image = await browser.newPage();
    await image.goto(url!);
    const size = await image.evaluate(() => {
      const img = document.querySelector('img');
      return img ? { width: img.naturalWidth, height: img.naturalHeight } : null;
    });
    expect(size).toEqual({ width: 320, height: 180 });

    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);
});
