/**
 * One log format: every line the real service writes, from start-up to shutdown, Yoga's own
 * lines included, is pino JSON, and a line written during a request carries its requestId.
 */
import { describe, expect, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

interface Line {
  level: number;
  msg: string;
  service: string;
  requestId?: string;
  source?: string;
}

describe('the service log', () => {
  it('is pino JSON from start-up to shutdown, Yoga lines too, each request line with its requestId', async () => {
    // debug: Yoga's own lines show (it logs each request's steps at debug).
    const service = await startService({ LOG_LEVEL: 'debug' });
    const upload = await sendUpload(service.url, {
      bytes: images.jpg,
      filename: 'cover.jpg',
      headers: { 'x-graphql-yoga-csrf': '1', 'x-request-id': 'req-log-1' },
    });
    expect(resultOf(upload).__typename).toBe('UploadVideoCoverSuccess');
    await service.stop();

    const lines = service
      .printed()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Line);
    expect(lines.every((line) => typeof line.level === 'number' && line.service === 'vod-cover-gateway')).toBe(true);
    const messages = lines.map((line) => line.msg);
    expect(messages).toContainEqual(
      expect.stringMatching(/^GraphQL and GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql$/),
    );
    expect(messages).toContain('SIGTERM: closing');
    const uploadLine = lines.find((line) => line.msg === 'upload');
    expect(uploadLine?.requestId).toBe('req-log-1');
    const yogaLines = lines.filter((line) => line.source === 'yoga');
    expect(yogaLines.length).toBeGreaterThan(0);
    expect(yogaLines.filter((line) => line.requestId === 'req-log-1').length).toBeGreaterThan(0);
  });
});
