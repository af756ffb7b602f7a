/**
 * The PostgreSQL ledger on the machine's server (a database of its own, created and dropped here):
 * migrations under an advisory lock, one query per DataLoader batch, one VOD call for identical
 * uploads on several gateways at once, a dead replica's claim taken over, and the database lost
 * and found again while running. Skipped, saying why, where no PostgreSQL answers (not under CI).
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresCoverStore, type PostgresCoverStore } from '../../src/ledger/postgres-cover-store.js';
import { startVodEmulator, DEV_CREDENTIAL, type VodEmulator } from '../../src/emulator/server.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { images, sha1 } from '../fixtures/images.js';
import { TEST_VOD_OPTIONS } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { createTestDatabase, queryRows, startCuttableProxy } from '../../support/postgres.js';
import { startService } from '../helpers/service.js';

const postgres = inject('postgres');

describe.skipIf('missing' in postgres)('the PostgreSQL ledger', () => {
  const adminUrl = 'adminUrl' in postgres ? postgres.adminUrl : '';
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let emulator: VodEmulator;
  const opened: { close(): unknown }[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(adminUrl);
    emulator = await startVodEmulator();
  });
  afterAll(async () => {
    for (const thing of opened.reverse()) await thing.close();
    await emulator?.close();
    await database?.drop();
  });

  /** A gateway (a "replica") on its own PostgreSQL pool. */
  async function replica(
    store?: PostgresCoverStore,
  ): Promise<{ gateway: Gateway; url: string; store: PostgresCoverStore }> {
    const own = store ?? (await openPostgresCoverStore({ connectionString: database.url, claimLeaseMs: 600 }));
    const gateway = createGateway({
      vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url, ...TEST_VOD_OPTIONS },
      vodApi: 'legacy', // as startGateway's: a BMP is one of its cover types
      ledger: own,
      logging: false,
      logger: false,
    });
    const url = await gateway.listen(0, '127.0.0.1');
    opened.push({ close: () => own.close() }, gateway);
    return { gateway, url, store: own };
  }

  it('migrates a new database once when three replicas start together', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresCoverStore({ connectionString: database.url })));
    opened.push(...stores);
    expect(await queryRows(database.url, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: '001-create-cover-uploads.sql' },
      { version: 2, name: '002-create-upload-claims.sql' },
      { version: 3, name: '003-create-upload-keys.sql' },
      { version: 4, name: '004-create-vod-call-slots.sql' },
    ]);
  });

  it('serves a cover recorded through one replica from another, and reads 50 videos with one query', async () => {
    emulator.reset();
    const [a, b] = [await replica(), await replica()];
    const uploaded = resultOf(
      await sendUpload(a.url, { bytes: images.png, filename: 'shared.png', fileId: 'shared-video' }),
    ) as { url: string };
    const res = await request(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ videoCover(fileId: "shared-video") { url sha1 } }' }),
    });
    expect(await res.body.json()).toEqual({ data: { videoCover: { url: uploaded.url, sha1: sha1(images.png) } } });

    let queries = 0;
    const counted = b.store.latestCovers.bind(b.store);
    b.store.latestCovers = (ids) => {
      queries++;
      return counted(ids);
    };
    const representations = Array.from({ length: 50 }, (_, i) => ({
      __typename: 'Video',
      fileId: i === 0 ? 'shared-video' : `none-${i}`,
    }));
    const entities = await request(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Video { cover { url } } } }',
        variables: { r: representations },
      }),
    });
    const body = (await entities.body.json()) as { data: { _entities: { cover: { url: string } | null }[] } };
    expect(body.data._entities).toHaveLength(50);
    expect(body.data._entities[0]).toEqual({ cover: { url: uploaded.url } });
    expect(queries).toBe(1);
  });

  it('makes one VOD call and one record for 50 identical uploads spread over three replicas at once', async () => {
    emulator.reset();
    const replicas = [await replica(), await replica(), await replica()];
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sendUpload(replicas[i % 3]!.url, { bytes: images.gif, filename: 'once.gif', fileId: 'once-video' }),
      ),
    );
    const results = answers.map((answer) => resultOf(answer) as { __typename: string; fileId?: string });
    expect(new Set(results.map((r) => `${r.__typename} ${r.fileId}`)).size).toBe(1);
    expect(results[0]!.__typename).toBe('UploadVideoCoverSuccess');
    expect(emulator.callCount).toBe(1);
    expect(
      await queryRows(database.url, "SELECT count(*)::int AS n FROM cover_uploads WHERE video_file_id = 'once-video'"),
    ).toEqual([{ n: 1 }]);
  });

  it('sends a cover again when a newer one came in between: X, Y, X makes three VOD calls and X is the cover', async () => {
    emulator.reset();
    const r = await replica();
    for (const [bytes, name] of [
      [images.jpg, 'x.jpg'],
      [images.png, 'y.png'],
      [images.jpg, 'x.jpg'],
    ] as const) {
      expect(resultOf(await sendUpload(r.url, { bytes, filename: name, fileId: 'xyx-video' })).__typename).toBe(
        'UploadVideoCoverSuccess',
      );
    }
    expect(emulator.callCount).toBe(3);
    const latest = await r.store.latestCovers(['xyx-video']);
    expect(latest.get('xyx-video')?.sha1).toBe(sha1(images.jpg));
  });

  it('takes over a claim whose replica died once its lease has run out', async () => {
    emulator.reset();
    const r = await replica();
    // A replica claimed this upload and died: no answer, a lease that runs out in 400 ms.
    await queryRows(
      database.url,
      "INSERT INTO upload_claims (video_file_id, sha1, owner, lease_until) VALUES ('orphan-video', $1, 'dead-replica:1', now() + interval '400 milliseconds')",
      [sha1(images.bmp)],
    );
    const started = Date.now();
    const result = resultOf(
      await sendUpload(r.url, { bytes: images.bmp, filename: 'orphan.bmp', fileId: 'orphan-video' }),
    );
    expect(result.__typename).toBe('UploadVideoCoverSuccess');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(emulator.callCount).toBe(1);
  });

  it("gives a caller waiting on another replica's call that call's answer, even when a newer cover of the video ends its reuse at once", async () => {
    emulator.reset();
    const r = await replica();
    const sha = sha1(images.gif);
    // Another replica holds the claim and is calling VOD.
    await queryRows(
      database.url,
      "INSERT INTO upload_claims (video_file_id, sha1, owner, lease_until) VALUES ('waited-video', $1, 'other-replica:1', now() + interval '1 minute')",
      [sha],
    );
    const answer = sendUpload(r.url, { bytes: images.gif, filename: 'waited.gif', fileId: 'waited-video' }).then(
      resultOf,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Its answer is published, and a newer cover of the video ends the answer's reuse, both before
    // the waiting caller looks again (one statement here: nothing can look in between).
    const published = {
      ok: true,
      fileId: '123456789012345678',
      url: 'http://vod.example/waited.gif',
      videoFileId: 'waited-video',
      sha1: sha,
      size: images.gif.length,
      instant: false,
      attempts: 1,
    };
    await queryRows(
      database.url,
      "UPDATE upload_claims SET result = $2::jsonb, done_at = '-infinity' WHERE video_file_id = 'waited-video' AND sha1 = $1",
      [sha, JSON.stringify(published)],
    );
    expect(await answer).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      fileId: published.fileId,
      url: published.url,
      videoFileId: 'waited-video',
      sha1: sha,
      size: images.gif.length,
      instant: false,
    });
    expect(emulator.callCount).toBe(0);
    expect(
      await queryRows(
        database.url,
        "SELECT count(*)::int AS n FROM cover_uploads WHERE video_file_id = 'waited-video'",
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('loses the database while running: /ready 503 before any upload, and LEDGER_UNAVAILABLE (canRetry, VOD not called); back again, both recover', async () => {
    emulator.reset();
    const target = new URL(adminUrl);
    const proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    opened.push(proxy);
    const store = await openPostgresCoverStore({
      connectionString: proxy.url(database.name),
      connectTimeoutMs: 500,
      statementTimeoutMs: 1000,
    });
    const r = await replica(store);
    const ready = async () => (await request(r.url.replace('/graphql', '/ready'))).statusCode;
    expect(await ready()).toBe(200);

    proxy.cut();
    // Noticed without an upload: the pool's connections drop, and the replica asks every 2 s.
    await expect.poll(ready, { timeout: 5000, interval: 100 }).toBe(503);
    const refused = resultOf(
      await sendUpload(r.url, { bytes: images.jpg, filename: 'lost.jpg', fileId: 'lost-video' }),
    );
    expect(refused).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'LEDGER_UNAVAILABLE',
      code: -20008,
      canRetry: true,
    });
    expect(emulator.callCount).toBe(0);

    proxy.restore();
    await expect.poll(ready, { timeout: 10_000, interval: 250 }).toBe(200);
    const accepted = resultOf(
      await sendUpload(r.url, { bytes: images.jpg, filename: 'lost.jpg', fileId: 'lost-video' }),
    );
    expect(accepted.__typename).toBe('UploadVideoCoverSuccess');
    expect(
      await queryRows(database.url, "SELECT count(*)::int AS n FROM cover_uploads WHERE video_file_id = 'lost-video'"),
    ).toEqual([{ n: 1 }]);
  });

  it('stops the start with one line naming DATABASE_URL, and exit code 1, when PostgreSQL cannot be reached; the password is not printed', async () => {
    const service = await startService({ DATABASE_URL: 'postgres://covers:hunter2-pw@127.0.0.1:1/covers' });
    expect(await service.exited).toBe(1);
    expect(service.messages()).toEqual([
      'Configuration error: DATABASE_URL: PostgreSQL at 127.0.0.1:1/covers cannot be used (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)',
    ]);
  });
});
