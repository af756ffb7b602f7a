/**
 * Reference server: Fastify 5 + Mercurius 16 with mercurius-upload (graphql-upload-minimal's
 * `processRequest` in a preValidation hook, the file left a stream), as Mercurius's fastest users
 * build it: graphql-jit on from the first repeat (`jit: 1`), Fastify's logger off. Mercurius's
 * defaults otherwise. BENCH_MERCURIUS_JIT=0 turns jit off, for the check that jit is the faster build.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { mercuriusUpload } from 'mercurius-upload';
import { serveStats } from './child.js';
import { PEER_RESOLVERS, PEER_TYPE_DEFS, PEER_UPLOAD_OPTIONS } from './peer-schema.js';

const app = Fastify({ logger: false });
await app.register(mercuriusUpload, PEER_UPLOAD_OPTIONS);
await app.register(mercurius, {
  schema: PEER_TYPE_DEFS,
  // Mercurius names a union's resolver `resolveType` (graphql-js's own name).
  resolvers: {
    ...PEER_RESOLVERS,
    UploadVideoCoverResult: { resolveType: PEER_RESOLVERS.UploadVideoCoverResult.__resolveType },
  } as never,
  jit: Number(process.env['BENCH_MERCURIUS_JIT'] ?? 1),
});
await app.listen({ port: 0, host: '127.0.0.1' });
serveStats(app.server, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`);
