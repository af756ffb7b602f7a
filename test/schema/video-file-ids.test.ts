/**
 * The video fileId rule (1–64 characters of 0-9, A-Z, a-z, "_" or "-") holds wherever a fileId comes
 * in: the mutation, `videoCover(fileId:)` and every `_entities` representation. A bad one gets its own
 * error; the valid ones of the same request still resolve, on SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresCoverStore } from '../../src/ledger/postgres-cover-store.js';
import { images } from '../fixtures/images.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { postGraphql } from '../helpers/graphql.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { createTestDatabase } from '../../support/postgres.js';
import { startService } from '../helpers/service.js';

const RULE = 'a video fileId is 1–64 characters of 0-9, A-Z, a-z, "_" or "-"';
const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Video { fileId cover { url } } } }';

/** Representations a router would never send, each with the error it must get, between two valid ones. */
const BAD_REPRESENTATIONS: [name: string, representation: unknown, message: string][] = [
  ['no fileId', { __typename: 'Video' }, `Representation 1 is refused: it has no fileId (${RULE}).`],
  [
    'a NUL in the fileId',
    { __typename: 'Video', fileId: 'a\u0000b' },
    `Representation 2 is refused: its fileId is not valid (${RULE}).`,
  ],
  [
    'a nested array as fileId',
    { __typename: 'Video', fileId: [['x']] },
    `Representation 3 is refused: its fileId is not valid (${RULE}).`,
  ],
  [
    '65 characters',
    { __typename: 'Video', fileId: 'v'.repeat(65) },
    `Representation 4 is refused: its fileId is not valid (${RULE}).`,
  ],
  [
    'an unknown type',
    { __typename: 'Nope', fileId: 'v1' },
    'Representation 5 is refused: "Nope" is not an entity of this subgraph (Video is).',
  ],
  ['a number', 5, 'Representation 6 is refused: it is not an object with __typename and fileId.'],
];

function describeOn(
  ledgerName: string,
  openLedger: () => Promise<{ ledger?: Awaited<ReturnType<typeof openPostgresCoverStore>>; close(): Promise<void> }>,
) {
  describe(`on ${ledgerName}`, () => {
    let h: StartedGateway;
    let opened: Awaited<ReturnType<typeof openLedger>>;
    let uploadedUrl: string;
    beforeAll(async () => {
      opened = await openLedger();
      h = await startGateway({ gateway: opened.ledger ? { ledger: opened.ledger } : {} });
      uploadedUrl = (
        resultOf(await sendUpload(h.url, { bytes: images.png, filename: 'ok.png', fileId: 'ok-1' })) as { url: string }
      ).url;
    });
    afterAll(async () => {
      await h?.close();
      await opened?.close();
    });

    it('answers each bad representation with its own error, and resolves the valid ones around them', async () => {
      const r = [
        { __typename: 'Video', fileId: 'ok-1' },
        ...BAD_REPRESENTATIONS.map(([, representation]) => representation),
        { __typename: 'Video', fileId: 'ok-2' },
      ];
      const { status, body } = await postGraphql(h.url, ENTITIES, { r });
      expect(status).toBe(200);
      expect(body).toEqual({
        data: {
          _entities: [
            { fileId: 'ok-1', cover: { url: uploadedUrl } },
            ...BAD_REPRESENTATIONS.map(() => null),
            { fileId: 'ok-2', cover: null },
          ],
        },
        errors: BAD_REPRESENTATIONS.map(([, , message], i) => ({
          message,
          locations: [{ line: 1, column: 24 }],
          path: ['_entities', i + 1],
          extensions: { code: 'BAD_USER_INPUT' },
        })),
      });
    });

    it.each([
      ['a NUL', 'a\u0000b'],
      ['a space', 'a b'],
      ['65 characters', 'v'.repeat(65)],
      ['nothing', ''],
    ])('refuses videoCover(fileId:) with %s, and still answers the other fields', async (_name, fileId) => {
      const { body } = await postGraphql(
        h.url,
        'query ($id: ID!) { videoCover(fileId: $id) { url } ok: videoCover(fileId: "ok-1") { url } }',
        { id: fileId },
      );
      expect(body).toEqual({
        data: { videoCover: null, ok: { url: uploadedUrl } },
        errors: [
          {
            message: `The fileId is not valid (${RULE}).`,
            locations: [{ line: 1, column: 20 }],
            path: ['videoCover'],
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
    });
  });
}

describeOn('SQLite', async () => ({ close: async () => undefined }));

const postgres = inject('postgres');
describe.skipIf('missing' in postgres)('with PostgreSQL', () => {
  describeOn('PostgreSQL', async () => {
    const database = await createTestDatabase('adminUrl' in postgres ? postgres.adminUrl : '');
    const ledger = await openPostgresCoverStore({ connectionString: database.url });
    return {
      ledger,
      async close() {
        await ledger.close();
        await database.drop();
      },
    };
  });
});

it('logs no stack trace for 2,000 representations without a fileId (the real service)', async () => {
  await using service = await startService({ LOG_LEVEL: 'info' });
  const before = service.printed().length;
  const r = Array.from({ length: 2000 }, () => ({ __typename: 'Video' }));
  const { status, body } = await postGraphql(service.url, ENTITIES, { r });
  expect(status).toBe(200);
  expect((body.data as { _entities: unknown[] })._entities).toEqual(Array.from({ length: 2000 }, () => null));
  expect(body.errors).toHaveLength(2000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const logged = service.printed().slice(before);
  expect(logged).not.toMatch(/\bat .*\.(js|ts):\d+/);
  expect(logged.length).toBeLessThan(1024);
});
