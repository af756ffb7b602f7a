/**
 * `Idempotency-Key`: an upload sent again with the key of one that was answered gets that answer
 * again, with no VOD call and no second record, even when a newer cover of the video came in
 * between (without a key, sending X after Y sets X again: a re-upload). On SQLite and across two
 * replicas on PostgreSQL; a key sent with another upload is refused, a malformed one gets 400.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from '../../src/emulator/server.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import type { CoverStore } from '../../src/ledger/cover-store.js';
import { openPostgresCoverStore } from '../../src/ledger/postgres-cover-store.js';
import { openSqliteCoverStore } from '../../src/ledger/sqlite-cover-store.js';
import { imageVariant, images } from '../fixtures/images.js';
import { TEST_VOD_OPTIONS } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { createTestDatabase, queryRows } from '../../support/postgres.js';

const KEY_TTL_MS = 1500;

interface Setup {
  /** Two gateways on one ledger (the same one twice for SQLite). */
  urls: [string, string];
  records(videoFileId: string): Promise<string[]>;
  close(): Promise<void>;
}

function describeOn(name: string, open: (emulator: VodEmulator) => Promise<Setup>) {
  describe(`on ${name}`, () => {
    let emulator: VodEmulator;
    let setup: Setup;
    beforeAll(async () => {
      emulator = await startVodEmulator();
      setup = await open(emulator);
    });
    afterAll(async () => {
      await setup?.close();
      await emulator?.close();
    });
    const upload = (at: 0 | 1, fileId: string, bytes: Buffer, key?: string) =>
      sendUpload(setup.urls[at], {
        fileId,
        bytes,
        filename: nameOf(bytes),
        headers: { 'x-graphql-yoga-csrf': '1', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      }).then(resultOf);
    const png = (n: number) => imageVariant(images.png, n);

    it('answers a retry with the first answer after a newer cover came in: no VOD call, no second record', async () => {
      emulator.reset();
      const x = await upload(0, 'keyed-video', images.jpg, '"retry-1"');
      expect(x.__typename).toBe('UploadVideoCoverSuccess');
      expect((await upload(1, 'keyed-video', images.png)).__typename).toBe('UploadVideoCoverSuccess');
      expect(await upload(1, 'keyed-video', images.jpg, '"retry-1"')).toEqual(x);
      expect(emulator.callCount).toBe(2);
      expect(await setup.records('keyed-video')).toEqual(['jpg', 'png']);
    });

    it('takes the key bare too, and the same key from two clients at once makes one call', async () => {
      emulator.reset();
      const [a, b] = await Promise.all([
        upload(0, 'twin-video', images.gif, 'twin-1'),
        upload(1, 'twin-video', images.gif, 'twin-1'),
      ]);
      expect(a).toEqual(b);
      expect(emulator.callCount).toBe(1);
      expect((await upload(0, 'twin-video', images.png)).__typename).toBe('UploadVideoCoverSuccess');
      expect(await upload(1, 'twin-video', images.gif, '"twin-1"')).toEqual(a);
      expect(emulator.callCount).toBe(2);
    });

    it("keeps the answer under the key of a caller that shared another caller's call", async () => {
      emulator.reset();
      emulator.inject({ kind: 'delay', ms: 300 });
      const [first, joined] = await Promise.all([
        upload(0, 'joined-video', png(1), 'first-key'),
        upload(1, 'joined-video', png(1), 'joined-key'),
      ]);
      expect(joined).toEqual(first);
      expect((await upload(0, 'joined-video', images.jpg)).__typename).toBe('UploadVideoCoverSuccess');
      expect(await upload(1, 'joined-video', png(1), 'joined-key')).toEqual(first);
      expect(emulator.callCount).toBe(2);
    });

    it('refuses a key sent with another upload, before VOD is called', async () => {
      emulator.reset();
      expect((await upload(0, 'reuse-video', png(2), 'once-only')).__typename).toBe('UploadVideoCoverSuccess');
      for (const [fileId, bytes] of [
        ['reuse-video', png(3)],
        ['other-video', png(2)],
      ] as const) {
        expect(await upload(1, fileId, bytes, 'once-only')).toEqual({
          __typename: 'UploadVideoCoverError',
          code: -20009,
          reason: 'IDEMPOTENCY_KEY_REUSED',
          canRetry: false,
          // The key's time to live as this test's stores have it.
          message:
            'The Idempotency-Key was sent with another upload (another video or other bytes) in the last 1.5 s; a new upload needs a new key.',
        });
      }
      expect(emulator.callCount).toBe(1);
    });

    it(`forgets a key after its time to live (${KEY_TTL_MS} ms here): the upload is sent again`, async () => {
      emulator.reset();
      expect((await upload(0, 'ttl-video', png(4), 'short-lived')).__typename).toBe('UploadVideoCoverSuccess');
      await new Promise((resolve) => setTimeout(resolve, KEY_TTL_MS + 200));
      expect((await upload(1, 'ttl-video', png(5), 'short-lived')).__typename).toBe('UploadVideoCoverSuccess');
      expect(emulator.callCount).toBe(2);
    });

    it.each([
      ['empty', '""'],
      ['with a space', '"a b"'],
      ['256 characters', 'k'.repeat(256)],
      ['a quote inside', 'a"b'],
      ['not closed', '"abc'],
    ])('refuses a key that is %s with 400, before the body is read', async (_name, key) => {
      emulator.reset();
      const res = await fetch(setup.urls[0], {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: '{"query":"{ __typename }"}',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        errors: [
          {
            message:
              'The Idempotency-Key header must be 1–255 visible ASCII characters, without " or \\ inside (a quoted string or a bare token).',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
    });
  });
}

/** A file name whose extension is the image type the bytes start with. */
function nameOf(bytes: Buffer): string {
  return bytes[0] === 0xff ? 'c.jpg' : bytes[0] === 0x89 ? 'c.png' : 'c.gif';
}

function gatewayOn(emulator: VodEmulator, ledger: CoverStore): Gateway {
  return createGateway({
    vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url, ...TEST_VOD_OPTIONS },
    ledger,
    logging: false,
    logger: false,
  });
}

describeOn('SQLite', async (emulator) => {
  const dir = mkdtempSync(join(tmpdir(), 'vod-cover-keys-'));
  const file = join(dir, 'covers.sqlite');
  const ledger = openSqliteCoverStore(file, { idempotencyKeyTtlMs: KEY_TTL_MS });
  const gateway = gatewayOn(emulator, ledger);
  const url = await gateway.listen(0);
  const reader = new Database(file, { readonly: true });
  return {
    urls: [url, url],
    records: async (videoFileId) =>
      reader
        .prepare<[string], { file_type: string }>(
          'SELECT file_type FROM cover_uploads WHERE video_file_id = ? ORDER BY id',
        )
        .all(videoFileId)
        .map((r) => r.file_type),
    async close() {
      reader.close();
      await gateway.close();
      ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const postgres = inject('postgres');
describe.skipIf('missing' in postgres)('with PostgreSQL', () => {
  describeOn('two replicas on PostgreSQL', async (emulator) => {
    const database = await createTestDatabase('adminUrl' in postgres ? postgres.adminUrl : '');
    const stores = await Promise.all(
      [1, 2].map(() => openPostgresCoverStore({ connectionString: database.url, idempotencyKeyTtlMs: KEY_TTL_MS })),
    );
    const gateways = stores.map((store) => gatewayOn(emulator, store));
    const urls = (await Promise.all(gateways.map((g) => g.listen(0)))) as [string, string];
    return {
      urls,
      records: async (videoFileId) =>
        (
          await queryRows<{ file_type: string }>(
            database.url,
            'SELECT file_type FROM cover_uploads WHERE video_file_id = $1 ORDER BY id',
            [videoFileId],
          )
        ).map((r) => r.file_type),
      async close() {
        for (const gateway of gateways) await gateway.close();
        for (const store of stores) await store.close();
        await database.drop();
      },
    };
  });
});
