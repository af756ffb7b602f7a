/**
 * The floor: what an upload costs with no GraphQL at all. A minimal node:http server takes the raw
 * body, SHA-1s it as it arrives, and sends it with the peers' minimal VOD client (nothing of src/).
 * Query: ?fileId=…&name=cover.jpg
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveStats } from './child.js';
import { minimalVodClientFromEnv } from './minimal-vod-client.js';

/** The vendor's limit on a cover (docs/vod-protocol.md §1). */
const MAX_FILE_SIZE = 1_048_576;
const setCover = minimalVodClientFromEnv();

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
    setCover({
      videoFileId: url.searchParams.get('fileId') ?? 'video',
      fileName: name.slice(0, dot),
      fileType: name.slice(dot + 1),
      body: Buffer.concat(chunks, size),
      sha1: hash.digest('hex'),
    }).then(
      (result) => answer(200, result),
      (error: Error) => answer(502, { error: error.message }),
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  serveStats(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
