/**
 * Reference server: Apollo Server 5 on Express 5, wired as Apollo's docs recommend for production
 * (`expressMiddleware` from @as-integrations/express5, `cors()`, `express.json()`, the drain plugin),
 * with graphql-upload-minimal's `graphqlUploadExpress` in front for multipart requests. Apollo's
 * defaults otherwise (CSRF prevention on).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import { serveStats } from './child.js';
import { PEER_RESOLVERS, PEER_TYPE_DEFS, PEER_UPLOAD_OPTIONS } from './peer-schema.js';

const app = express();
const server = createServer(app);
const apollo = new ApolloServer({
  typeDefs: PEER_TYPE_DEFS,
  resolvers: PEER_RESOLVERS,
  plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
});
await apollo.start();

app.use(
  '/graphql',
  cors<cors.CorsRequest>(),
  express.json(),
  graphqlUploadExpress(PEER_UPLOAD_OPTIONS),
  expressMiddleware(apollo, { context: async () => ({}) }),
);
server.listen(0, '127.0.0.1', () => {
  serveStats(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
