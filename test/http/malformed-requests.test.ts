import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { images, sha1 } from '../fixtures/images.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { UPLOAD_OPERATIONS, multipartBody, rawPost, type RawPart } from '../helpers/raw-multipart.js';

let h: StartedGateway;
let production: StartedGateway;
beforeAll(async () => {
  h = await startGateway();
  production = await startGateway({ gateway: { introspection: false } });
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h.close();
  await production.close();
});

const MAP = { name: 'map', value: '{"0":["variables.file"]}' };
const OPS = { name: 'operations', value: UPLOAD_OPERATIONS() };
const file = (filename: string, bytes: Buffer = images.jpg): RawPart => ({
  name: '0',
  filename,
  bytes,
  contentType: 'image/jpeg',
});

/** The error member for an upload that did not arrive whole. */
const uploadAborted = (message: string, canRetry: boolean) => ({
  __typename: 'UploadVideoCoverError',
  code: -10006,
  reason: 'UPLOAD_ABORTED',
  message,
  canRetry,
});

async function stillServes(): Promise<void> {
  const res = await request(h.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ uploadLimits { maxFileSize } }' }),
  });
  expect(await res.body.json()).toEqual({ data: { uploadLimits: { maxFileSize: 1048576 } } });
}

describe('malformed multipart requests get a 4xx or a GraphQL error, never a 5xx, and the server keeps serving', () => {
  it.each<[string, () => Buffer, number | 'uploaded' | 'cut short']>([
    ['no map', () => multipartBody([OPS, file('a.jpg')]), 400],
    // The part that comes is one the map does not declare: an extra file.
    [
      'a map naming a missing part',
      () => multipartBody([OPS, { name: 'map', value: '{"7":["variables.file"]}' }, file('a.jpg')]),
      413,
    ],
    ['a file part before operations', () => multipartBody([file('a.jpg'), OPS, MAP]), 400],
    [
      'two files',
      () =>
        multipartBody([
          OPS,
          { name: 'map', value: '{"0":["variables.file"],"1":["variables.x"]}' },
          file('a.jpg'),
          { ...file('b.jpg'), name: '1' },
        ]),
      413,
    ],
    [
      'non-JSON operations',
      () => multipartBody([{ name: 'operations', value: '{"query": nope' }, MAP, file('a.jpg')]),
      400,
    ],
    [
      'an operations field of 200 KB',
      () =>
        multipartBody([
          { name: 'operations', value: JSON.stringify({ query: `# ${'x'.repeat(200_000)}\n{ __typename }` }) },
          MAP,
          file('a.jpg'),
        ]),
      413,
    ],
    // Fields past operations and map are ignored (busboy's limit): the upload itself is well formed.
    [
      '10,000 tiny parts',
      () =>
        multipartBody([
          OPS,
          MAP,
          ...Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}`, value: 'x' })),
          file('a.jpg'),
        ]),
      'uploaded',
    ],
    [
      'a body cut off before its closing boundary',
      () => multipartBody([OPS, MAP, file('a.jpg')], { close: false }),
      'cut short',
    ],
    [
      'a batch of operations',
      () =>
        multipartBody([
          { name: 'operations', value: `[${UPLOAD_OPERATIONS()},${UPLOAD_OPERATIONS()}]` },
          { name: 'map', value: '{"0":["0.variables.file"]}' },
          file('a.jpg'),
        ]),
      400,
    ],
    [
      'operations that are not an object',
      () => multipartBody([{ name: 'operations', value: '"hello"' }, MAP, file('a.jpg')]),
      400,
    ],
    [
      'a map path into nothing',
      () => multipartBody([OPS, { name: 'map', value: '{"0":["variables.file.deeper.still"]}' }, file('a.jpg')]),
      400,
    ],
  ])('%s → %s', async (_name, body, expected) => {
    const answer = await rawPost(h.url, body());
    if (expected === 'uploaded') {
      expect(answer.status).toBe(200);
      expect(answer.json?.data?.['uploadVideoCover']).toMatchObject({
        __typename: 'UploadVideoCoverSuccess',
        sha1: sha1(images.jpg),
      });
      expect(h.emulator.callCount).toBe(1);
    } else if (expected === 'cut short') {
      expect(answer.status).toBe(200);
      expect(answer.json?.data?.['uploadVideoCover']).toEqual(
        uploadAborted('The upload stopped before the whole file arrived.', true),
      );
      expect(h.emulator.callCount).toBe(0);
    } else {
      expect(answer.status).toBe(expected);
      expect(answer.json?.data).toBeUndefined();
      expect(answer.json?.errors).toHaveLength(1);
      expect(answer.json?.errors?.[0]?.message.length).toBeGreaterThan(10);
      expect(h.emulator.callCount).toBe(0);
    }
    await stillServes();
  });

  it('answers an operation that never reads its file part, and does not hang on the unread body', async () => {
    // A variable the operation does not declare: GraphQL ignores it, and nobody reads the part.
    const operations = JSON.stringify({ query: '{ uploadLimits { maxFileSize } }', variables: { file: null } });
    const started = Date.now();
    const answer = await rawPost(
      h.url,
      multipartBody([{ name: 'operations', value: operations }, MAP, file('big.jpg', Buffer.alloc(900 * 1024, 1))]),
    );
    expect(answer.json, answer.body).toEqual({ data: { uploadLimits: { maxFileSize: 1048576 } } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(h.emulator.callCount).toBe(0);
    await stillServes();
  });

  it.each([
    ['of 10 KB', `${'a'.repeat(10_000)}.jpg`, 'INVALID_FILE_NAME'],
    [
      'that is a path climbing up (no extension once the path is dropped)',
      '../../../../../etc/passwd',
      'UNSUPPORTED_FILE_TYPE',
    ],
    ['with only dots', '...', 'UNSUPPORTED_FILE_TYPE'],
  ])('refuses a file name %s with %s', async (_name, filename, reason) => {
    const answer = await rawPost(h.url, multipartBody([OPS, MAP, file(filename)]));
    expect(answer.status).toBe(200);
    expect(answer.json?.data?.['uploadVideoCover']).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason,
      canRetry: false,
    });
    expect(h.emulator.callCount).toBe(0);
    await stillServes();
  });

  it('drops the path of ../../x.jpg and uploads x', async () => {
    const answer = await rawPost(h.url, multipartBody([OPS, MAP, file('../../../x.jpg')]));
    expect(answer.json?.data?.['uploadVideoCover']).toMatchObject({ __typename: 'UploadVideoCoverSuccess' });
    expect(h.emulator.covers.list()[0]!.fileName).toBe('x');
  });

  it.each([
    ['a NUL', 'a\u0000b.jpg'],
    ['a CR', 'a\rb.jpg'],
    ['an LF', 'a\nb.jpg'],
    ['a header of 20 KB', `${'a'.repeat(20_000)}.jpg`],
  ])(
    'answers a part header with %s in the file name with UPLOAD_ABORTED naming the malformed header',
    async (_name, filename) => {
      const answer = await rawPost(h.url, multipartBody([OPS, MAP, file(filename)]));
      // The operation is already under way when busboy meets the part header: the file variable fails.
      // The request is malformed, and sending it again changes nothing.
      expect(answer.status).toBe(200);
      expect(answer.json?.data?.['uploadVideoCover']).toEqual(
        uploadAborted('The request is not a multipart body that can be read (Malformed part header).', false),
      );
      expect(h.emulator.callCount).toBe(0);
      await stillServes();
    },
  );
});

describe('operations that ask too much', () => {
  async function post(url: string, body: unknown) {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      body: (await res.body.json()) as { data?: unknown; errors?: { message: string }[] },
    };
  }

  // Each query is valid GraphQL that graphql-js alone would run: only graphql-armor's limit refuses it.
  it.each([
    [
      'too deep (depth 14, limit 10)',
      `{ uploadLimits { ${'... on UploadLimits { '.repeat(12)}maxFileSize${' }'.repeat(12)} } }`,
      'Syntax Error: Query depth limit of 10 exceeded, found 14.',
    ],
    [
      'with too many aliases (50, limit 15)',
      `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: uploadLimits { maxFileSize }`).join(' ')} }`,
      'Syntax Error: Aliases limit of 15 exceeded, found 50.',
    ],
    [
      'with too many tokens (2105, limit 2000)',
      `{ uploadLimits { ${Array.from({ length: 2100 }, () => 'maxFileSize').join(' ')} } }`,
      'Syntax Error: Token limit of 2000 exceeded.',
    ],
    [
      'with too many directives (60, limit 50)',
      `{ uploadLimits { ${Array.from({ length: 60 }, () => 'maxFileSize @include(if: true)').join(' ')} } }`,
      'Syntax Error: Directives limit of 50 exceeded, found 60.',
    ],
  ])("refuses a query %s with graphql-armor's error", async (_name, query, message) => {
    const answer = await post(h.url, { query });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.map((e) => e.message)).toEqual([message]);
    await stillServes();
  });

  it('refuses a JSON batch (batching is off)', async () => {
    const answer = await post(h.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.length).toBe(1);
  });

  it('answers introspection by default, and not when off (NODE_ENV=production)', async () => {
    expect((await post(h.url, { query: '{ __schema { queryType { name } } }' })).body).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
    const off = await post(production.url, { query: '{ __schema { queryType { name } } }' });
    expect(off.status).toBe(200);
    expect(off.body.data).toBeUndefined();
    expect(off.body.errors?.map((e) => e.message)).toEqual([
      'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
      'GraphQL introspection has been disabled, but the requested query contained the field "queryType".',
    ]);
    // Federation's own entry point is not introspection: gateways still read the SDL.
    const sdl = (await post(production.url, { query: '{ _service { sdl } }' })).body.data as {
      _service: { sdl: string };
    };
    expect(sdl._service.sdl).toContain('uploadVideoCover(');
  });
});
