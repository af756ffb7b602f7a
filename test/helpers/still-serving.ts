import { request } from 'undici';
import { expect } from 'vitest';
import { images } from '../fixtures/images.js';
import type { GatewayHarness } from './gateway.js';
import { postGraphql } from './graphql.js';
import { resultOf, sendUpload } from './multipart.js';

/** After a hostile request: a normal upload succeeds, and its cover is read back through `videoCover`. */
export async function uploadsStillWork(
  harness: Pick<GatewayHarness, 'url'>,
  fileId = `still-${Math.random().toString(36).slice(2)}`,
): Promise<void> {
  const result = resultOf(await sendUpload(harness.url, { fileId, bytes: images.jpg, filename: 'cover.jpg' }));
  expect(result.__typename).toBe('UploadVideoCoverSuccess');
  const read = await postGraphql(harness.url, 'query ($id: ID!) { videoCover(fileId: $id) { url } }', { id: fileId });
  expect(read.body).toEqual({ data: { videoCover: { url: (result as { url: string }).url } } });
}

/** `/ready`'s status and its checks. */
export async function readiness(url: string): Promise<{ status: number; checks: Record<string, boolean> }> {
  const res = await request(new URL('/ready', url));
  const body = (await res.body.json()) as { checks: Record<string, boolean> };
  return { status: res.statusCode, checks: body.checks };
}
