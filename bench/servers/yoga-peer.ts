/**
 * Reference server: Yoga 5 with graphql-upload-minimal, as its users wire it: a request parser
 * that hands the Node request to `processRequest`, so the file stays a stream. Yoga's defaults
 * otherwise (CSRF prevention is not on by default in Yoga).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processRequest } from 'graphql-upload-minimal';
import { createSchema, createYoga, type GraphQLParams } from 'graphql-yoga';
import { serveStats } from './child.js';
import { PEER_RESOLVERS, PEER_TYPE_DEFS, PEER_UPLOAD_OPTIONS } from './peer-schema.js';

type NodeContext = { req: IncomingMessage; res: ServerResponse };
const yoga = createYoga<NodeContext>({
  schema: createSchema({ typeDefs: PEER_TYPE_DEFS, resolvers: PEER_RESOLVERS }),
  multipart: false,
  plugins: [
    {
      onRequestParse({ request, serverContext, setRequestParser }) {
        if (request.headers.get('content-type')?.startsWith('multipart/form-data')) {
          const { req, res } = serverContext as unknown as NodeContext;
          setRequestParser(() => processRequest(req, res, PEER_UPLOAD_OPTIONS) as Promise<GraphQLParams>);
        }
      },
    },
  ],
});

const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  serveStats(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
