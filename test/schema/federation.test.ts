import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverStore } from '../../src/ledger/cover-store.js';
import { openSqliteCoverStore } from '../../src/ledger/sqlite-cover-store.js';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { images, sha1 } from '../fixtures/images.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID, resultOf, sendUpload, uploadForm } from '../helpers/multipart.js';
import { postGraphql as graphql } from '../helpers/graphql.js';
import { VIDEOS_SDL, composeSupergraph, startHiveGateway, startVideosSubgraph } from '../helpers/supergraph.js';

/** The process warnings of one kind emitted from now until `stop()` (Node emits each kind of them once per emitter). */
function warningsDuring(name = 'MaxListenersExceededWarning'): { stop(): string[] } {
  const seen: string[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === name) seen.push(warning.message);
  };
  process.on('warning', onWarning);
  return {
    stop() {
      process.off('warning', onWarning);
      return seen;
    },
  };
}

/** A ledger that counts the queries it answers. */
function countingLedger(inner: CoverStore): CoverStore & { queries: number } {
  const ledger = {
    queries: 0,
    record: (cover: Parameters<CoverStore['record']>[0]) => inner.record(cover),
    latestCovers(ids: readonly string[]) {
      ledger.queries++;
      return inner.latestCovers(ids);
    },
    isWritable: () => inner.isWritable(),
    close: () => inner.close(),
  };
  return ledger;
}

describe('the subgraph', () => {
  let harness: StartedGateway;
  let ledger: ReturnType<typeof countingLedger>;
  beforeAll(async () => {
    ledger = countingLedger(openSqliteCoverStore(':memory:'));
    harness = await startGateway({ gateway: { ledger } });
  });
  afterAll(async () => {
    await harness.close();
    ledger.close();
  });

  it('answers _service { sdl } with schema.graphql', async () => {
    const { printGatewaySchema } = await import('../../src/schema/index.js');
    const { body } = await graphql<{ _service: { sdl: string } }>(harness.url, '{ _service { sdl } }');
    expect(`${body.data!._service.sdl.trim()}\n`).toBe(printGatewaySchema());
    expect(body.data!._service.sdl).toContain(
      '@link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated", "@requiresScopes"])',
    );
  });

  it("records an upload and serves it as Video.cover, Query.videoCover and the success member's video", async () => {
    const answer = await sendUpload(harness.url, { bytes: images.png, filename: 'cover.png', fileId: 'ledger-video' });
    const result = resultOf(answer);
    expect(result.__typename).toBe('UploadVideoCoverSuccess');
    const query = `query ($fileId: ID!, $reps: [_Any!]!) {
      videoCover(fileId: $fileId) { fileId url sha1 size fileType uploadedAt }
      _entities(representations: $reps) { ... on Video { fileId cover { fileId } } }
    }`;
    const { body } = await graphql<{ videoCover: Record<string, unknown>; _entities: unknown[] }>(harness.url, query, {
      fileId: 'ledger-video',
      reps: [
        { __typename: 'Video', fileId: 'ledger-video' },
        { __typename: 'Video', fileId: 'no-cover-yet' },
      ],
    });
    expect(body.errors).toBeUndefined();
    const success = result as { fileId: string; url: string };
    expect(body.data!.videoCover).toEqual({
      fileId: success.fileId,
      url: success.url,
      sha1: sha1(images.png),
      size: images.png.length,
      fileType: 'png',
      uploadedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
    expect(body.data!._entities).toEqual([
      { fileId: 'ledger-video', cover: { fileId: success.fileId } },
      { fileId: 'no-cover-yet', cover: null },
    ]);
  });

  it('reads the covers of 50 entity representations with exactly one store query', async () => {
    for (const fileId of ['v-1', 'v-25', 'v-50']) {
      await sendUpload(harness.url, { bytes: images.gif, filename: 'a.gif', fileId });
    }
    const reps = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Video', fileId: `v-${i + 1}` }));
    ledger.queries = 0;
    const { body } = await graphql<{ _entities: { fileId: string; cover: { sha1: string } | null }[] }>(
      harness.url,
      'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Video { fileId cover { sha1 } } } }',
      { reps },
    );
    expect(ledger.queries).toBe(1);
    expect(body.data!._entities).toHaveLength(50);
    expect(body.data!._entities.filter((e) => e.cover !== null).map((e) => e.fileId)).toEqual(['v-1', 'v-25', 'v-50']);
  });

  it('gives a video its latest cover', async () => {
    await sendUpload(harness.url, { bytes: images.jpg, filename: 'first.jpg', fileId: 'twice' });
    await sendUpload(harness.url, { bytes: images.bmp, filename: 'second.bmp', fileId: 'twice' });
    const { body } = await graphql<{ videoCover: { fileType: string } }>(
      harness.url,
      '{ videoCover(fileId: "twice") { fileType } }',
    );
    expect(body.data!.videoCover.fileType).toBe('bmp');
  });
});

describe('the ledger on disk', () => {
  it('survives a restart of the service', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vod-cover-ledger-'));
    const file = join(dataDir, 'nested', 'covers.sqlite');
    try {
      const first = await startGateway({ gateway: { ledger: file } });
      const uploaded = resultOf(
        await sendUpload(first.url, { bytes: images.webp, filename: 'keep.webp', fileId: 'kept' }),
      );
      await first.close();

      await using second = await startGateway({ gateway: { ledger: file } });
      const { body } = await graphql<{ videoCover: { fileId: string; sha1: string } }>(
        second.url,
        '{ videoCover(fileId: "kept") { fileId sha1 } }',
      );
      expect(body.data!.videoCover).toEqual({
        fileId: (uploaded as { fileId: string }).fileId,
        sha1: sha1(images.webp),
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps a record whose write resolved when the process is then killed (SIGKILL) without closing the ledger', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vod-cover-ledger-'));
    try {
      const file = join(dataDir, 'covers.sqlite');
      const store = pathToFileURL(
        fileURLToPath(new URL('../../src/ledger/sqlite-cover-store.ts', import.meta.url)),
      ).href;
      const script = [
        `import { openSqliteCoverStore } from ${JSON.stringify(store)};`,
        'const ledger = openSqliteCoverStore(process.argv[1]);',
        "await ledger.record({ videoFileId: 'w', coverFileId: '1', url: 'u', sha1: 'a'.repeat(40), size: 1, fileType: 'jpg', uploadedAt: new Date(0) });",
        "process.kill(process.pid, 'SIGKILL');",
      ].join('\n');
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], {
        encoding: 'utf8',
      });
      expect(child.stderr).toBe('');
      expect(child.signal).toBe('SIGKILL');
      const reopened = openSqliteCoverStore(file);
      const covers = await reopened.latestCovers(['w']);
      reopened.close();
      expect(covers.get('w')).toMatchObject({ coverFileId: '1', uploadedAt: new Date(0) });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('behind Hive Gateway, composed with a videos subgraph', () => {
  let covers: StartedGateway;
  let videos: Awaited<ReturnType<typeof startVideosSubgraph>>;
  let hive: Awaited<ReturnType<typeof startHiveGateway>>;
  beforeAll(async () => {
    covers = await startGateway();
    videos = await startVideosSubgraph();
    const { printGatewaySchema } = await import('../../src/schema/index.js');
    const composed = composeSupergraph({
      covers: { sdl: printGatewaySchema(), url: covers.url },
      videos: { sdl: VIDEOS_SDL, url: videos.url },
    });
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    hive = await startHiveGateway(composed.supergraphSdl);
  });
  afterAll(async () => {
    await hive?.close();
    await videos?.close();
    await covers?.close();
  });

  it.each([
    ['x-graphql-yoga-csrf', { 'x-graphql-yoga-csrf': '1' }],
    ['apollo-require-preflight (as Apollo Router sends)', { 'apollo-require-preflight': 'true' }],
  ])('forwards an upload intact (client header %s), and the same response joins the video', async (_name, headers) => {
    covers.emulator.reset();
    const query = print(UploadVideoCoverDocument).replace(
      'instant',
      'instant video { fileId title cover { url sha1 } }',
    );
    const form = uploadForm({ bytes: images.jpg, filename: 'cover.jpg', query, type: 'image/jpeg' });
    const res = await fetch(hive.url, { method: 'POST', body: form, headers });
    const body = (await res.json()) as { data?: { uploadVideoCover: Record<string, unknown> }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const result = body.data!.uploadVideoCover;
    const clientSha1 = sha1(images.jpg);
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess', sha1: clientSha1, size: images.jpg.length });
    // What VOD holds is byte for byte what the client sent, through the gateway's re-encoding.
    const [stored] = covers.emulator.covers.list();
    expect(sha1(stored!.bytes)).toBe(clientSha1);
    expect(result['video']).toEqual({
      fileId: VIDEO_FILE_ID,
      title: `Video ${VIDEO_FILE_ID}`,
      cover: { url: stored!.url, sha1: clientSha1 },
    });
  });

  it('joins both subgraphs: video(fileId) { title cover { url } }', async () => {
    covers.emulator.reset();
    const uploaded = resultOf(
      await sendUpload(covers.url, { bytes: images.png, filename: 'joined.png', fileId: 'joined-video' }),
    ) as { url: string };
    const { body } = await graphql(hive.url, '{ video(fileId: "joined-video") { title cover { url } } }');
    expect(body).toEqual({ data: { video: { title: 'Video joined-video', cover: { url: uploaded.url } } } });
  });

  it('passes 50 concurrent uploads through with no MaxListenersExceededWarning in this process (router and gateway)', async () => {
    covers.emulator.reset();
    // Retries for some (two faults: no upload meets three, its last attempt), as listeners per retry
    // would pile up too; then VOD holds every answer back, so that all 50 are in flight at once.
    covers.emulator.inject({ kind: 'answer', code: -10004, canRetry: 1 }, 2);
    covers.emulator.inject({ kind: 'delay', ms: 300 }, 60);
    const warnings = warningsDuring();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(hive.url, {
          method: 'POST',
          body: uploadForm({ bytes: images.jpg, filename: 'cover.jpg', fileId: `many-${i}` }),
          headers: { 'x-graphql-yoga-csrf': '1' },
        });
        return ((await res.json()) as { data: { uploadVideoCover: { __typename: string } } }).data.uploadVideoCover
          .__typename;
      }),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, () => 'UploadVideoCoverSuccess'));
    expect(warnings.stop()).toEqual([]);
  });

  it('passes the Idempotency-Key on: a retry through the router after a newer cover gets the first answer', async () => {
    covers.emulator.reset();
    const send = async (bytes: Buffer, filename: string, key?: string) => {
      const headers = { 'x-graphql-yoga-csrf': '1', ...(key ? { 'idempotency-key': key } : {}) };
      const res = await fetch(hive.url, {
        method: 'POST',
        body: uploadForm({ bytes, filename, fileId: 'routed-retry' }),
        headers,
      });
      return ((await res.json()) as { data: { uploadVideoCover: Record<string, unknown> } }).data.uploadVideoCover;
    };
    const first = await send(images.jpg, 'x.jpg', '"routed-1"');
    expect(first['__typename']).toBe('UploadVideoCoverSuccess');
    expect((await send(images.png, 'y.png'))['__typename']).toBe('UploadVideoCoverSuccess');
    expect(await send(images.jpg, 'x.jpg', '"routed-1"')).toEqual(first);
    expect(covers.emulator.callCount).toBe(2);
  });

  it('refuses a multipart request without a CSRF header at the gateway or the subgraph', async () => {
    covers.emulator.reset();
    const form = uploadForm({ bytes: images.jpg, filename: 'cover.jpg' });
    const res = await fetch(hive.url, { method: 'POST', body: form });
    const body = (await res.json()) as { data?: { uploadVideoCover: unknown }; errors?: { message: string }[] };
    expect(body.data?.uploadVideoCover ?? null).toBeNull();
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(covers.emulator.callCount).toBe(0);
  });
});
