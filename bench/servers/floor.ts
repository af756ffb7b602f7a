/**
 * The floor: what an upload costs with no GraphQL at all. A minimal node:http server takes the raw
 * body, SHA-1s it as it arrives, and sends it with the same signed VOD client the gateway uses.
 * Query: ?fileId=…&name=cover.jpg
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';
import { MAX_FILE_SIZE } from '../../src/vod/cover-rules.js';
import { serveStats } from './child.js';

const vod = createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: process.env['VOD_BASE_URL']! });

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const answer = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (Number(req.headers['content-length']) > MAX_FILE_SIZE) {
    res.setHeader('connection', 'close');
    req.socket.pause();
    return answer(413, { error: 'FILE_TOO_LARGE' });
  }
  const chunks: Buffer[] = [];
  const hash = createHash('sha1');
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    hash.update(chunk);
    size += chunk.length;
  });
  req.on('end', () => {
    const name = url.searchParams.get('name') ?? 'cover.jpg';
    const dot = name.lastIndexOf('.');
    vod
      .setCover({
        videoFileId: url.searchParams.get('fileId') ?? 'video',
        fileName: name.slice(0, dot),
        fileType: name.slice(dot + 1),
        body: Buffer.concat(chunks, size),
        sha1: hash.digest('hex'),
        size,
      })
      .then(
        (result) => answer(200, result),
        (error: Error) => answer(502, { error: error.message }),
      );
  });
});

server.listen(0, '127.0.0.1', () => {
  serveStats(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
