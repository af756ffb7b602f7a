/**
 * Uploads go through Yoga's own request pipeline (useStreamingUploads): the same answers as JSON,
 * the same plugins, and `yoga.fetch` works for them.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import { createGraphQLError, createYoga, type Plugin } from 'graphql-yoga';
import { request } from 'undici';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { images, jpegOfSize, sha1 } from '../fixtures/images.js';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import type { GatewayContext } from '../../src/schema/context.js';
import { createCoverLoader } from '../../src/ledger/cover-loader.js';
import { openSqliteCoverStore } from '../../src/ledger/sqlite-cover-store.js';
import { useStreamingUploads } from '../../src/plugins/use-streaming-uploads.js';
import { getSchema } from '../../src/schema/index.js';
import { createCoverUploader } from '../../src/upload/upload-cover.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';
import { useEmulator } from '../helpers/emulator.js';
import { VIDEO_FILE_ID, resultOf, sendUpload, uploadForm } from '../helpers/multipart.js';
import { BOUNDARY, multipartBody } from '../helpers/raw-multipart.js';

const ORIGIN = 'https://app.example';
type Harness = StartedGateway;
const harnesses: Harness[] = [];
async function gatewayWith(plugins: Plugin[] = []): Promise<Harness> {
  const h = await startGateway({ gateway: { plugins, corsOrigins: [ORIGIN] } });
  harnesses.push(h);
  return h;
}
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});

const UPLOAD = print(UploadVideoCoverDocument);

/** One operation as GraphQL-over-HTTP JSON, or as a multipart request that carries a file for `$file`. */
async function send(url: string, transport: 'json' | 'multipart', query: string, accept: string | undefined) {
  const operations = JSON.stringify({ query, variables: { fileId: VIDEO_FILE_ID, file: null } });
  const headers: Record<string, string> = { origin: ORIGIN, 'x-graphql-yoga-csrf': '1', ...(accept ? { accept } : {}) };
  const res = await request(url, {
    method: 'POST',
    ...(transport === 'json'
      ? { headers: { ...headers, 'content-type': 'application/json' }, body: operations }
      : {
          headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
          body: multipartBody([
            { name: 'operations', value: operations },
            { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
            { name: '0', filename: 'cover.jpg', bytes: images.jpg, contentType: 'image/jpeg' },
          ]),
        }),
  });
  return {
    status: res.statusCode,
    contentType: res.headers['content-type'],
    allowOrigin: res.headers['access-control-allow-origin'],
    body: await res.body.text(),
  };
}

describe('the same operation answers the same whether it comes as JSON or as multipart', () => {
  let h: Harness;
  beforeEach(async () => {
    h ??= await gatewayWith();
    h.reset();
  });

  const operations: [string, string][] = [
    [
      'a validation error (unknown field)',
      'mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) { nope } }',
    ],
    ['a syntax error', 'mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) {'],
    [
      'an unknown argument',
      'mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file, size: 3) { __typename } }',
    ],
    [
      'two operations and no operationName',
      `${UPLOAD}\nmutation Other($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) { __typename } }`,
    ],
    [
      'too many aliases (graphql-armor)',
      `mutation ($fileId: ID!, $file: Upload!) { ${Array.from({ length: 16 }, (_, i) => `a${i}: uploadLimits { maxFileSize }`).join(' ')} uploadVideoCover(fileId: $fileId, file: $file) { __typename } }`,
    ],
  ];
  const accepts = [
    undefined,
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json;q=0.9',
  ];
  const table = operations.flatMap(([name, query]) =>
    accepts.map((accept) => [name, accept ?? '(none)', query, accept] as const),
  );

  it.each(table)(
    '%s, Accept %s: same status, media type, CORS header and body',
    async (_name, _shown, query, accept) => {
      const json = await send(h.url, 'json', query, accept);
      const multipart = await send(h.url, 'multipart', query, accept);
      expect(multipart).toEqual(json);
      expect(JSON.parse(json.body).errors.length).toBeGreaterThan(0);
      expect(h.emulator.callCount).toBe(0);
    },
  );

  it('answers a multipart request from an allowed origin with CORS headers, as Yoga answers JSON', async () => {
    const multipart = await send(h.url, 'multipart', UPLOAD, undefined);
    expect(multipart.status).toBe(200);
    expect(multipart.allowOrigin).toBe(ORIGIN);
    expect(JSON.parse(multipart.body).data.uploadVideoCover.__typename).toBe('UploadVideoCoverSuccess');
  });
});

describe('plugins a user adds see uploads', () => {
  it('a header-check plugin (onRequest) refuses an upload before its body is read: 401, and VOD is never called', async () => {
    const requireApiKey: Plugin = {
      onRequest({ request, endResponse, fetchAPI }) {
        if (request.headers.get('x-api-key') !== 'secret') {
          endResponse(
            new fetchAPI.Response(JSON.stringify({ errors: [{ message: 'API key required.' }] }), {
              status: 401,
              headers: { 'content-type': 'application/json' },
            }),
          );
        }
      },
    };
    const h = await gatewayWith([requireApiKey]);
    const body = multipartBody([
      {
        name: 'operations',
        value: JSON.stringify({ query: UPLOAD, variables: { fileId: VIDEO_FILE_ID, file: null } }),
      },
      { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
      { name: '0', filename: 'cover.jpg', bytes: jpegOfSize(900 * 1024), contentType: 'image/jpeg' },
    ]);
    const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-graphql-yoga-csrf': '1' };

    const refused = await request(h.url, { method: 'POST', headers, body });
    expect(refused.statusCode).toBe(401);
    expect(await refused.body.json()).toEqual({ errors: [{ message: 'API key required.' }] });
    expect(h.emulator.callCount).toBe(0);
    expect(h.bytesRead()).toBeLessThan(256 * 1024);

    const allowed = await request(h.url, { method: 'POST', headers: { ...headers, 'x-api-key': 'secret' }, body });
    expect(allowed.statusCode).toBe(200);
    expect(
      ((await allowed.body.json()) as { data: { uploadVideoCover: { __typename: string } } }).data.uploadVideoCover
        .__typename,
    ).toBe('UploadVideoCoverSuccess');
    expect(h.emulator.callCount).toBe(1);
  });

  it('a trusted-documents plugin (onParams) refuses an upload whose document is not on its list, and VOD is never called', async () => {
    const trusted = new Set([UPLOAD]);
    const trustedDocuments: Plugin = {
      onParams({ params }) {
        if (!trusted.has(params.query ?? '')) {
          throw createGraphQLError('This document is not trusted.', {
            extensions: { http: { status: 403 }, code: 'UNTRUSTED_DOCUMENT' },
          });
        }
      },
    };
    const h = await gatewayWith([trustedDocuments]);
    const untrusted = `# another client's copy\n${UPLOAD}`;
    const json = await send(h.url, 'json', untrusted, undefined);
    const multipart = await send(h.url, 'multipart', untrusted, undefined);
    expect(multipart.status).toBe(403);
    expect(JSON.parse(multipart.body)).toEqual({
      errors: [{ message: 'This document is not trusted.', extensions: { code: 'UNTRUSTED_DOCUMENT' } }],
    });
    expect(multipart).toEqual(json);
    expect(h.emulator.callCount).toBe(0);

    const listed = await send(h.url, 'multipart', UPLOAD, undefined);
    expect(JSON.parse(listed.body).data.uploadVideoCover.__typename).toBe('UploadVideoCoverSuccess');
  });

  it('a plugin annotates an upload: what it puts on the context reaches its execution hook and the answer', async () => {
    const audit: Plugin<{ auditId?: string }> = {
      onContextBuilding({ extendContext }) {
        extendContext({ auditId: 'audit-42' });
      },
      onExecute() {
        return {
          onExecuteDone({ args, result, setResult }) {
            if ('data' in result)
              setResult({ ...result, extensions: { auditId: (args.contextValue as { auditId?: string }).auditId } });
          },
        };
      },
    };
    const h = await gatewayWith([audit as Plugin]);
    const answer = JSON.parse((await send(h.url, 'multipart', UPLOAD, undefined)).body);
    expect(answer.extensions).toEqual({ auditId: 'audit-42' });
    expect(answer.data.uploadVideoCover.__typename).toBe('UploadVideoCoverSuccess');
    expect(h.emulator.callCount).toBe(1);
  });
});

describe('uploads through yoga.fetch (no socket: Yoga parses the multipart body itself)', () => {
  let h: Harness;
  beforeEach(async () => {
    h ??= await gatewayWith();
    h.reset();
  });

  async function fetchUpload(form: FormData, headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1' }) {
    const res = await h.gateway.yoga.fetch('http://localhost/graphql', { method: 'POST', body: form, headers });
    return {
      status: res.status,
      body: (await res.json()) as { data?: { uploadVideoCover: Record<string, unknown> }; errors?: unknown[] },
    };
  }

  it('uploads a cover: VOD receives exactly the bytes sent', async () => {
    const answer = await fetchUpload(uploadForm({ bytes: images.png, filename: 'cover.png' }));
    expect(answer.status).toBe(200);
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      sha1: sha1(images.png),
      size: images.png.length,
    });
    expect(h.emulator.calls.map((c) => c.sha1)).toEqual([sha1(images.png)]);
  });

  it('refuses a file over 1 MiB with FILE_TOO_LARGE, and VOD is never called', async () => {
    const answer = await fetchUpload(uploadForm({ bytes: jpegOfSize(1024 * 1024 + 1), filename: 'cover.jpg' }));
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'FILE_TOO_LARGE',
      canRetry: false,
    });
    expect(h.emulator.callCount).toBe(0);
  });

  it('refuses bytes that are not the type the extension names with CONTENT_MISMATCH', async () => {
    const answer = await fetchUpload(uploadForm({ bytes: images.png, filename: 'cover.jpg' }));
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'CONTENT_MISMATCH',
      canRetry: false,
    });
    expect(h.emulator.callCount).toBe(0);
  });

  it('refuses a multipart body longer than any upload can be with 413, before Yoga reads it whole', async () => {
    const body = multipartBody([
      {
        name: 'operations',
        value: JSON.stringify({ query: UPLOAD, variables: { fileId: VIDEO_FILE_ID, file: null } }),
      },
      { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
      { name: '0', filename: 'cover.jpg', bytes: jpegOfSize(2 * 1024 * 1024), contentType: 'image/jpeg' },
    ]);
    const res = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      body,
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(body.length),
        'x-graphql-yoga-csrf': '1',
      },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      'REQUEST_TOO_LARGE',
    );
    expect(h.emulator.callCount).toBe(0);
  });

  it('refuses an upload without a CSRF header with 403', async () => {
    const answer = await fetchUpload(uploadForm({ bytes: images.jpg, filename: 'cover.jpg' }), {});
    expect(answer.status).toBe(403);
    expect(answer.body.errors).toEqual([
      {
        message:
          'A multipart, form or text/plain request needs one of these headers (any value), so that a browser preflights it: x-graphql-yoga-csrf, apollo-require-preflight.',
        extensions: { code: 'CSRF_HEADER_MISSING' },
      },
    ]);
    expect(h.emulator.callCount).toBe(0);
  });
});

describe("useStreamingUploads in a Yoga server of your own, with Yoga's defaults", () => {
  const emulator = useEmulator();

  it("streams an upload intact, and the Node request has one reader only (Yoga's own body limit does not read it too)", async () => {
    const vod = createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: emulator().url });
    const ledger = openSqliteCoverStore(':memory:');
    const readers: number[] = [];
    const countReaders: Plugin<object, { req?: IncomingMessage }> = {
      onExecute({ args }) {
        const req = (args.contextValue as { req?: IncomingMessage }).req!;
        readers.push(req.listenerCount('data') + req.listenerCount('readable'));
      },
    };
    const yoga = createYoga<Record<string, unknown>, GatewayContext>({
      schema: getSchema(),
      context: () => ({ covers: createCoverUploader({ vod, ledger }), coverLoader: createCoverLoader(ledger) }),
      logging: false,
      plugins: [useStreamingUploads(), countReaders],
    });
    const server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const bytes = jpegOfSize(900 * 1024);
      const answer = await sendUpload(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, {
        bytes,
        filename: 'big.jpg',
      });
      expect(resultOf(answer)).toMatchObject({ __typename: 'UploadVideoCoverSuccess', sha1: sha1(bytes) });
      expect(readers).toEqual([1]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      ledger.close();
    }
  });
});
