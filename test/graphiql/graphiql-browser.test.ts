/**
 * GraphiQL in a real browser (Debian's Chromium, driven by playwright-core): the page and every
 * asset come from the service itself; its prefilled variables show no error; a user attaches a
 * real JPEG and sees its preview (bytes, pixels), runs the default mutation, watches its progress,
 * sees the success member and the stored cover next to the chosen one, and the cover's url shows
 * the image. A screenshot is saved to test-output/graphiql-upload.png (docs/graphiql-upload.png
 * is a copy of it).
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { images, sha1 } from '../fixtures/images.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';

const browserAt = inject('chromium');
const OUTPUT = new URL('../../test-output/', import.meta.url);

describe.skipIf('missing' in browserAt)('GraphiQL in Chromium', () => {
  let browser: Browser;
  let h: StartedGateway;
  beforeAll(async () => {
    h = await startGateway();
    browser = await chromium.launch({
      ...('path' in browserAt ? { executablePath: browserAt.path } : {}),
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

    // The prefilled variables are valid as GraphiQL sees them: no squiggle under `"file"`.
    await page.locator('.graphiql-editor-tool').getByText('the file chosen above').first().waitFor();
    await page.waitForTimeout(1500);
    expect(await page.locator('.graphiql-editor-tool [class*="squiggly"]').count()).toBe(0);

    await page.setInputFiles('#upload-file', new URL('../fixtures/cover.jpg', import.meta.url).pathname);
    // The preview: the image itself, its bytes and its pixels.
    await expect
      .poll(() => page.locator('#upload-chosen figcaption').innerText())
      .toBe(`cover.jpg: ${images.jpg.length} bytes, 320 × 180`);
    expect(await page.locator('#upload-chosen img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
    // Every status the panel shows while the upload goes, to see its progress.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { statuses: string[] }).statuses = seen;
      const target = document.querySelector('#upload-status')!;
      new MutationObserver(() => seen.push(target.textContent ?? '')).observe(target, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
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

    const statuses = await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses.some((t) => /^uploading: \d+ of \d+ bytes$/.test(t))).toBe(true);
    expect(statuses).toContain('sent; waiting for the answer');
    // The stored cover, from its url, next to the chosen one.
    await expect
      .poll(() => page.locator('#upload-stored figcaption').innerText())
      .toBe(`stored: ${images.jpg.length} bytes, 320 × 180`);
    expect(await page.locator('#upload-stored img').getAttribute('src')).toBe(stored!.url);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: new URL('graphiql-upload.png', OUTPUT).pathname });

    const image = await browser.newPage();
    await image.goto(url!);
    const size = await image.evaluate(() => {
      const img = document.querySelector('img');
      return img ? { width: img.naturalWidth, height: img.naturalHeight } : null;
    });
    expect(size).toEqual({ width: 320, height: 180 });

    // Nothing but the service itself, and the stored cover from VOD's url (the panel shows it).
    expect(foreign).toEqual([stored!.url]);
    expect(errors).toEqual([]);
  }, 90_000);
});
