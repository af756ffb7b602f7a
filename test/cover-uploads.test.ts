/**
 * createCoverUploads: cover uploads inside a host's own GraphQL server. A host's Yoga (typeDefs,
 * resolvers and plugins merged with its own), a host's Pothos schema, and Apollo Server on Express
 * each upload a real JPEG with a phone's EXIF to the emulator and answer the gateway's union; the
 * upload streams, is stripped, and a multipart request without a CSRF header is refused before its
 * body is read. GraphiQL's page and assets work under any endpoint path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import SchemaBuilder from '@pothos/core';
import express from 'express';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import { createSchema, createYoga, mergeSchemas } from 'graphql-yoga';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createCoverUploads } from '../src/cover-uploads.js';
import { DEV_CREDENTIAL, startVodEmulator } from '../src/emulator/server.js';
import { createGateway } from '../src/gateway.js';
import { sha1 } from './fixtures/images.js';
import { TEST_VOD_OPTIONS } from './helpers/gateway.js';
import { resultOf, sendUpload } from './helpers/multipart.js';
import { rawConnection } from './helpers/raw-socket.js';

/** A JPEG with a phone's EXIF (GPS included): what the strip must take out. */
const phonePhoto = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
    .toBuffer();

const HOST_TYPE_DEFS = /* GraphQL */ `
  type Query {
    hello: String!
  }
`;
const HOST_RESOLVERS = { Query: { hello: () => 'from the host' } };

/** Listens on port 0; resolves with the server's base URL, and the bytes its sockets read. */
async function listen(
  server: Server,
): Promise<AsyncDisposable & { base: string; bytesRead(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytesRead: () => [...sockets].reduce((sum, s) => sum + s.bytesRead, 0),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function startCovers() {
  const emulator = await startVodEmulator();
  const covers = createCoverUploads({
    vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url, ...TEST_VOD_OPTIONS },
    vodApi: 'legacy',
    logger: false,
  });
  return {
    emulator,
    covers,
    async [Symbol.asyncDispose]() {
      await covers.close();
      await emulator.close();
    },
  };
}

describe("cover uploads in a host's own Yoga", () => {
  async function startHost() {
    const parts = await startCovers();
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: [HOST_TYPE_DEFS, parts.covers.typeDefs],
        resolvers: [HOST_RESOLVERS, parts.covers.resolvers],
      }),
      plugins: [...parts.covers.plugins],
      logging: false,
    });
    const server = await listen(createServer(yoga));
    return {
      ...parts,
      yoga,
      ...server,
      url: `${server.base}/graphql`,
      async [Symbol.asyncDispose]() {
        await server.close();
        await parts[Symbol.asyncDispose]();
      },
    };
  }

  it('uploads through its node:http server: the success member, the cover stripped of its EXIF, and the host’s own fields beside it', async () => {
    await using host = await startHost();
    const photo = await phonePhoto();
    const answer = resultOf(await sendUpload(host.url, { bytes: photo, filename: 'cover.jpg' }));
    const [stored] = host.emulator.covers.list();
    expect(answer).toMatchObject({ __typename: 'UploadVideoCoverSuccess', sha1: sha1(stored!.bytes) });
    expect(stored!.bytes.length).toBeLessThan(photo.length);
    expect(stored!.bytes.includes('PhoneMaker')).toBe(false);
    expect((await sharp(stored!.bytes).metadata()).exif).toBeUndefined();
    const own = await fetch(host.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello uploadLimits { maxFileSize } }' }),
    });
    expect(await own.json()).toEqual({ data: { hello: 'from the host', uploadLimits: { maxFileSize: 1_048_576 } } });
  });

  it('answers the error member as the gateway does (an unknown video id format)', async () => {
    await using host = await startHost();
    const answer = resultOf(
      await sendUpload(host.url, { bytes: await phonePhoto(), filename: 'cover.jpg', fileId: 'no spaces allowed' }),
    );
    expect(answer).toMatchObject({ __typename: 'UploadVideoCoverError', reason: 'INVALID_FILE_ID', canRetry: false });
    expect(host.emulator.callCount).toBe(0);
  });

  it('refuses a multipart request without a CSRF header 403, having read no more of its body than the first packet', async () => {
    await using host = await startHost();
    const { socket, closed } = rawConnection(host.url);
    socket.write(
      [
        'POST /graphql HTTP/1.1',
        `Host: ${new URL(host.url).host}`,
        'Content-Type: multipart/form-data; boundary=x',
        `Content-Length: ${10 * 1024 * 1024}`,
        '',
        '',
      ].join('\r\n'),
    );
    // Ten MiB follow, as fast as the connection takes them; the answer must come first.
    const body = Buffer.alloc(64 * 1024, 0x61);
    const pump = setInterval(() => !socket.destroyed && socket.write(body), 1);
    const text = await closed;
    clearInterval(pump);
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(text).toContain('x-graphql-yoga-csrf');
    expect(host.bytesRead()).toBeLessThan(1024 * 1024);
    expect(host.emulator.callCount).toBe(0);
  });

  it('answers on yoga.fetch too (Yoga’s own multipart parser, a File)', async () => {
    await using host = await startHost();
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'mutation ($file: Upload!) { uploadVideoCover(fileId: "v1", file: $file) { __typename ... on UploadVideoCoverSuccess { size } } }',
        variables: { file: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    const photo = await phonePhoto();
    form.append('0', new File([photo as Uint8Array<ArrayBuffer>], 'cover.jpg'));
    const res = await host.yoga.fetch('http://host/graphql', {
      method: 'POST',
      body: form,
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    const json = (await res.json()) as { data: { uploadVideoCover: { __typename: string; size: number } } };
    expect(json.data.uploadVideoCover.__typename).toBe('UploadVideoCoverSuccess');
    expect(json.data.uploadVideoCover.size).toBe(host.emulator.covers.list()[0]!.bytes.length);
  });
});

describe('cover uploads beside a host’s Pothos schema', () => {
  it('merges into the host’s own builder’s schema (graphql-tools mergeSchemas) and uploads', async () => {
    await using parts = await startCovers();
    const builder = new SchemaBuilder({});
    builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'from Pothos' }) }) });
    const schema = mergeSchemas({
      schemas: [builder.toSchema()],
      typeDefs: parts.covers.typeDefs,
      resolvers: parts.covers.resolvers,
    });
    const yoga = createYoga({ schema, plugins: [...parts.covers.plugins], logging: false });
    await using server = await listen(createServer(yoga));
    const answer = resultOf(
      await sendUpload(`${server.base}/graphql`, { bytes: await phonePhoto(), filename: 'a.jpg' }),
    );
    expect(answer.__typename).toBe('UploadVideoCoverSuccess');
    expect(parts.emulator.covers.list()).toHaveLength(1);
  });
});

describe('cover uploads in Apollo Server on Express', () => {
  it('uploads with graphql-upload-minimal’s middleware and covers.context(), and Apollo’s CSRF prevention refuses what has no preflight header', async () => {
    await using parts = await startCovers();
    const app = express();
    const http = createServer(app);
    const apollo = new ApolloServer({
      typeDefs: [HOST_TYPE_DEFS, parts.covers.typeDefs],
      resolvers: [HOST_RESOLVERS, parts.covers.resolvers] as never,
    });
    await apollo.start();
    app.use(
      '/graphql',
      express.json(),
      graphqlUploadExpress({ maxFiles: 1, maxFileSize: 1_048_577 }),
      expressMiddleware(apollo, { context: async () => ({ ...parts.covers.context() }) }),
    );
    const server = await listen(http);
    try {
      const url = `${server.base}/graphql`;
      const photo = await phonePhoto();
      const answer = resultOf(
        await sendUpload(url, { bytes: photo, filename: 'cover.jpg', headers: { 'apollo-require-preflight': 'true' } }),
      );
      expect(answer).toMatchObject({ __typename: 'UploadVideoCoverSuccess' });
      expect(parts.emulator.covers.list()[0]!.bytes.includes('PhoneMaker')).toBe(false);
      const refused = await sendUpload(url, { bytes: photo, filename: 'cover.jpg', headers: {} });
      expect(refused.status).toBe(400);
      expect(parts.emulator.covers.list()).toHaveLength(1);
    } finally {
      await server.close();
      await apollo.stop();
    }
  });
});

describe('GraphiQL under any endpoint path', () => {
  it('serves its page at the endpoint and its assets below it, for /api/v2/graphql', async () => {
    const emulator = await startVodEmulator();
    await using gateway = createGateway({
      vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url },
      vodApi: 'legacy',
      graphqlEndpoint: '/api/v2/graphql',
      graphiql: true,
      logger: false,
      logging: false,
    });
    try {
      const url = await gateway.listen(0, '127.0.0.1');
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('var endpoint = location.pathname;');
      expect(html).not.toContain('/graphiql/assets/');
      for (const [asset, type] of [
        ['graphiql.css', 'text/css; charset=utf-8'],
        ['yoga-graphiql.umd.js', 'text/javascript; charset=utf-8'],
        ['upload-panel.js', 'text/javascript; charset=utf-8'],
      ] as const) {
        const res = await fetch(`${url}/graphiql-assets/${asset}`);
        expect([asset, res.status, res.headers.get('content-type')]).toEqual([asset, 200, type]);
        await res.arrayBuffer();
      }
      expect((await fetch(`${url}/graphiql-assets/../../package.json`)).status).not.toBe(200);
      expect((await fetch(`${url}/graphiql-assets/other.js`)).status).toBe(404);
    } finally {
      await emulator.close();
    }
  });

  it('serves them where a host mounts the gateway’s Yoga (Express, under /covers)', async () => {
    const emulator = await startVodEmulator();
    await using gateway = createGateway({
      vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url },
      vodApi: 'legacy',
      graphiql: true,
      logger: false,
      logging: false,
    });
    const app = express();
    app.use('/covers', gateway.yoga as never);
    const server = await listen(createServer(app));
    try {
      const res = await fetch(`${server.base}/covers/graphql/graphiql-assets/upload-panel.js`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('VodCoverUpload');
      const answer = resultOf(
        await sendUpload(`${server.base}/covers/graphql`, { bytes: await phonePhoto(), filename: 'c.jpg' }),
      );
      expect(answer.__typename).toBe('UploadVideoCoverSuccess');
    } finally {
      await server.close();
      await emulator.close();
    }
  });
});
