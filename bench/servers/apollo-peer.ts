/**
 * Reference server: Apollo Server 5 with graphql-upload-minimal on plain node:http, the way an
 * integration is written (`executeHTTPGraphQLRequest`): `processRequest` parses multipart requests
 * (the file stays a stream), JSON bodies are read whole. Apollo's defaults otherwise (CSRF
 * prevention on).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { processRequest } from 'graphql-upload-minimal';
import { serveStats } from './child.js';
import { PEER_RESOLVERS, PEER_TYPE_DEFS, PEER_UPLOAD_OPTIONS } from './peer-schema.js';

const apollo = new ApolloServer({ typeDefs: PEER_TYPE_DEFS, resolvers: PEER_RESOLVERS });
await apollo.start();

const server = createServer(async (req, res) => {
  try {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    let body: unknown;
    if (req.method === 'POST' && headers.get('content-type')?.startsWith('multipart/form-data')) {
      body = await processRequest(req, res, PEER_UPLOAD_OPTIONS);
    } else if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => ({}),
    });
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') return void res.end(answer.body.string);
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  } catch (error) {
    const status = (error as { status?: number }).status ?? 400;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
  }
});
server.listen(0, '127.0.0.1', () => {
  serveStats(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
