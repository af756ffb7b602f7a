/**
 * Reference server: Yoga 5 with graphql-upload-minimal, the way its fastest users build it: the
 * multipart body is parsed in the node:http handler (`processRequest`, the file left a stream) and
 * handed to Yoga as the request's parsed body, which Yoga then reads as a JSON operation; logging
 * off. Yoga's defaults otherwise (CSRF prevention is not on by default in Yoga).
 *
 * BENCH_YOGA_PARSE=in-yoga builds it the other way, for the check that this one is the faster
 * build: the body parsed inside Yoga (`onRequestParse` + `setRequestParser`), Yoga's logging on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processRequest } from 'graphql-upload-minimal';
import { createSchema, createYoga, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { serveStats } from './child.js';
import { PEER_RESOLVERS, PEER_TYPE_DEFS, PEER_UPLOAD_OPTIONS } from './peer-schema.js';

type NodeContext = { req: IncomingMessage; res: ServerResponse };
const inYoga = process.env['BENCH_YOGA_PARSE']?.startsWith('in-yoga') ?? false;
const lean = process.env['BENCH_YOGA_PARSE'] === 'in-yoga-lean';

const isMultipart = (contentType: string | null | undefined) => contentType?.startsWith('multipart/form-data') ?? false;

/** The slower build: Yoga's request parser swapped for graphql-upload-minimal's. */
const parseInYoga: Plugin = {
  onRequestParse({ request, serverContext, setRequestParser }) {
    if (!isMultipart(request.headers.get('content-type'))) return;
    const { req, res } = serverContext as unknown as NodeContext;
    setRequestParser(() => processRequest(req, res, PEER_UPLOAD_OPTIONS) as Promise<GraphQLParams>);
  },
};

const yoga = createYoga<NodeContext>({
  schema: createSchema({ typeDefs: PEER_TYPE_DEFS, resolvers: PEER_RESOLVERS }),
  multipart: false,
  logging: inYoga && !lean,
  ...(lean ? { maxRequestBodySize: false as const } : {}),
  plugins: inYoga ? [parseInYoga] : [],
});

const server = inYoga
  ? createServer(yoga)
  : createServer(async (req, res) => {
      if (req.method === 'POST' && isMultipart(req.headers['content-type'])) {
        try {
          // Yoga's node adapter takes a parsed `req.body` as the request's JSON.
          (req as IncomingMessage & { body?: unknown }).body = await processRequest(req, res, PEER_UPLOAD_OPTIONS);
        } catch (error) {
          const status = (error as { status?: number }).status ?? 400;
          res.writeHead(status, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
        }
      }
      void yoga.requestListener(req, res);
    });
server.listen(0, '127.0.0.1', () => {
  serveStats(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
