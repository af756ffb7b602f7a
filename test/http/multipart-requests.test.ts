import fc from 'fast-check';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { postGraphql as graphql } from '../helpers/graphql.js';
import { VIDEO_FILE_ID } from '../helpers/multipart.js';
import { BOUNDARY, UPLOAD_OPERATIONS, multipartBody, rawPost } from '../helpers/raw-multipart.js';
import { startService } from '../helpers/service.js';
import { firstStatusLine } from '../helpers/raw-socket.js';
import { useGateway } from '../helpers/gateway.js';
import { readiness as ready, uploadsStillWork } from '../helpers/still-serving.js';
import { fieldPart as field, jpegPart as jpg } from '../helpers/raw-multipart.js';

const harness = useGateway();

describe('a map path that is not a null value of the operation is refused with 400 before a part is read', () => {
  it('keeps the process alive when map names a path inside the upload itself (variables.f.resolve)', async () => {
    // The real service: this request used to end the process with "upload.resolve is not a function".
    await using service = await startService();
    const answer = await rawPost(
      service.url,
      multipartBody([
        field('operations', { query: '{__typename}', variables: { f: null } }),
        field('map', { 0: ['variables.f', 'variables.f.resolve'] }),
        jpg(),
      ]),
    );
    expect(answer.status).toBe(400);
    expect(answer.json?.errors?.[0]?.message).toBe(
      "The 'map' path \"variables.f.resolve\" of part \"0\" is not a null value of 'operations' (a file's place is a variable set to null).",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(service.exitCode()).toBeUndefined();
    await uploadsStillWork(service);
  });

  it('does not let hasOwnProperty.call overwrite a built-in: later uploads and videoCover still answer, /ready stays right', async () => {
    const answer = await rawPost(
      harness().url,
      multipartBody([
        field('operations', { query: '{__typename}' }),
        field('map', { 0: ['hasOwnProperty.call'] }),
        jpg(),
      ]),
    );
    expect(answer.status).toBe(400);
    expect(answer.json?.errors?.[0]?.message).toMatch(
      /^The 'map' path "hasOwnProperty\.call" of part "0" is not a null value/,
    );
    expect(Object.prototype.hasOwnProperty.call).toBe(Function.prototype.call);
    await uploadsStillWork(harness());
    expect((await ready(harness().url)).status).toBe(200);
  });

  it.each([
    ['a prototype', { 0: ['__proto__.polluted'] }],
    ['a constructor', { 0: ['constructor.prototype.polluted'] }],
    ['a string method', { 0: ['query.length'] }],
    ['a missing variable', { 0: ['variables.nothing'] }],
    ['a variable that is not null', { 0: ['variables.fileId'] }],
    ['an index past an array', { 0: ['variables.list.5'] }],
    ['the same place twice', { 0: ['variables.file', 'variables.file'] }],
  ])('refuses a path into %s', async (_name, map) => {
    const operations = {
      query: print(UploadVideoCoverDocument),
      variables: { fileId: VIDEO_FILE_ID, file: null, list: [null] },
    };
    const answer = await rawPost(
      harness().url,
      multipartBody([field('operations', operations), field('map', map), jpg()]),
    );
    expect(answer.status).toBe(400);
    expect(answer.json?.errors?.[0]?.message).toMatch(
      /^The 'map' path .* (is not a null value of 'operations'|is named twice)/,
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(harness().emulator.callCount).toBe(0);
    await uploadsStillWork(harness());
  });
});

describe('map paths (property)', () => {
  const names = fc.constantFrom(
    'variables',
    'file',
    'f',
    'query',
    '0',
    '1',
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'call',
    'resolve',
    'promise',
    'toString',
    'length',
    'then',
  );
  const path = fc.array(names, { minLength: 1, maxLength: 5 }).map((keys) => keys.join('.'));
  const variables = fc.dictionary(
    names,
    fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.array(fc.constant(null), { maxLength: 2 }),
      fc.dictionary(names, fc.constant(null), { maxKeys: 2 }),
    ),
    { maxKeys: 4 },
  );

  it('never crash the process nor change how later requests are answered, whatever the operation', async () => {
    const builtIns = () => [
      Object.getOwnPropertyNames(Object.prototype).join(),
      Object.getOwnPropertyNames(Function.prototype).join(),
      String(Object.prototype.hasOwnProperty.call),
    ];
    const before = builtIns();
    await fc.assert(
      fc.asyncProperty(variables, fc.array(path, { minLength: 1, maxLength: 3 }), async (vars, paths) => {
        const answer = await rawPost(
          harness().url,
          multipartBody([
            field('operations', { query: '{ __typename }', variables: vars }),
            field('map', { 0: paths }),
            jpg(),
          ]),
        );
        expect([200, 400]).toContain(answer.status);
        expect(answer.json?.data ?? answer.json?.errors).toBeTruthy();
      }),
      { numRuns: 150 },
    );
    expect(builtIns()).toEqual(before);
    await uploadsStillWork(harness());
  });
});

describe('multipart answers what JSON answers', () => {
  it.each([
    ['no operationName', { query: 'query Q { __typename } query R { __typename }' }],
    ['an unknown operationName', { query: 'query Q { __typename } query R { __typename }', operationName: 'Z' }],
  ])('answers a multi-operation document with %s 400, as JSON does, not 500', async (_name, operations) => {
    const json = await graphql(harness().url, operations.query);
    const multipart = await rawPost(harness().url, multipartBody([field('operations', operations), field('map', {})]));
    expect(multipart.status).toBe(400);
    expect(multipart.json).toEqual({
      errors: [
        {
          message: 'Could not determine what operation to execute.',
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        },
      ],
    });
    expect(json.status).toBe(400);
    expect(multipart.json?.errors?.[0]?.message).toBe(json.body.errors?.[0]?.message);
    await uploadsStillWork(harness());
  });

  it('says what is missing when there is no map', async () => {
    const answer = await rawPost(harness().url, multipartBody([field('operations', UPLOAD_OPERATIONS()), jpg()]));
    expect(answer.status).toBe(400);
    expect(answer.json?.errors?.[0]?.message).toBe(
      "Missing multipart field 'map': 'operations', then 'map', must come before the file parts (GraphQL multipart request spec).",
    );
    await uploadsStillWork(harness());
  });

  it('answers an undeclared extra file part 413, and does not send the declared one to VOD', async () => {
    const answer = await rawPost(
      harness().url,
      multipartBody([
        field('operations', UPLOAD_OPERATIONS()),
        field('map', { 0: ['variables.file'] }),
        jpg('0'),
        jpg('1', 'b.jpg'),
      ]),
    );
    expect(answer.status).toBe(413);
    expect(answer.json?.errors?.[0]?.message).toBe(
      "Only the file parts that 'map' declares are accepted (at most 1); this request sends more.",
    );
    expect(harness().emulator.callCount).toBe(0);
    await uploadsStillWork(harness());
  });
});

describe('smaller holes', () => {
  /** Sends only the head of a request with `Expect: 100-continue` and returns the first status line. */
  const expectContinue = (headers: string[]): Promise<string> =>
    firstStatusLine(
      harness().url,
      [
        'POST /graphql HTTP/1.1',
        'Host: 127.0.0.1',
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
        'Expect: 100-continue',
        ...headers,
        '',
        '',
      ].join('\r\n'),
    );

  it.each([
    ['without a CSRF header', ['Content-Length: 20000'], 'HTTP/1.1 403 Forbidden'],
    [
      'declaring a body too long for any cover',
      ['x-graphql-yoga-csrf: 1', 'Content-Length: 5242880'],
      'HTTP/1.1 413 Payload Too Large',
    ],
    ['that is acceptable', ['x-graphql-yoga-csrf: 1', 'Content-Length: 20000'], 'HTTP/1.1 100 Continue'],
  ])('answers Expect: 100-continue %s with %s', async (_name, headers, expected) => {
    expect(await expectContinue(headers)).toBe(expected);
    await uploadsStillWork(harness());
  });

  it('answers the next alias at once when an earlier alias was refused and the body is no longer read', async () => {
    const query = `mutation ($file: Upload!) {
      a: uploadVideoCover(fileId: "not valid!", file: $file) { ... on UploadVideoCoverError { reason canRetry } }
      b: uploadVideoCover(fileId: "${VIDEO_FILE_ID}", file: $file) { ... on UploadVideoCoverError { reason canRetry message } }
    }`;
    const started = performance.now();
    const answer = await rawPost(
      harness().url,
      multipartBody([
        field('operations', { query, variables: { file: null } }),
        field('map', { 0: ['variables.file'] }),
        jpg(),
      ]),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(answer.json?.data).toEqual({
      a: { reason: 'INVALID_FILE_ID', canRetry: false },
      b: {
        reason: 'UPLOAD_ABORTED',
        canRetry: false,
        message: 'The request is no longer read: an earlier field of it was refused, so this file part never arrives.',
      },
    });
    expect(harness().emulator.callCount).toBe(0);
    await uploadsStillWork(harness());
  });
});
