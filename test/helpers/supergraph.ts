import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { readFileSync } from 'node:fs';

export type ComposeResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes subgraphs (name → SDL and URL) into a supergraph with a real composition library. */
export function composeSupergraph(subgraphs: Record<string, { sdl: string; url: string }>): ComposeResult {
  const result = composeServices(
    Object.entries(subgraphs).map(([name, { sdl, url }]) => ({ name, typeDefs: parse(sdl), url })),
  );
  if (result.errors?.length) return { ok: false, errors: result.errors.map((e) => e.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl! };
}

export const VIDEOS_SDL = readFileSync(new URL('../fixtures/videos-subgraph.graphql', import.meta.url), 'utf8');

/** The test-only `videos` subgraph: every video exists and is titled "Video <fileId>". */
export async function startVideosSubgraph(): Promise<{ url: string; close(): Promise<void> }> {
  const video = (fileId: string) => ({ fileId, title: `Video ${fileId}` });
  const schema = buildSubgraphSchema({
    typeDefs: parse(VIDEOS_SDL),
    resolvers: {
      Query: { video: (_root: unknown, args: { fileId: string }) => video(args.fileId) },
      Video: { __resolveReference: (ref: { fileId: string }) => video(ref.fileId) },
    },
  });
  const yoga = createYoga({ schema, logging: false });
  return listen(createServer(yoga), '/graphql');
}

/** Headers a client sends that the gateway passes on to subgraphs (CSRF prevention needs one; a retry's key). */
export const PROPAGATED_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'idempotency-key'] as const;

/**
 * Hive Gateway (@graphql-hive/gateway-runtime) in front of a supergraph, on a loopback port, with
 * GraphQL multipart requests on and the CSRF headers propagated to subgraphs: the config the
 * README's "Run as a subgraph" section gives.
 */
export async function startHiveGateway(
  supergraphSdl: string,
  options: {
    propagate?: readonly string[];
    hmacSignature?: Parameters<typeof createGatewayRuntime>[0]['hmacSignature'];
  } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const propagated = [...PROPAGATED_HEADERS, ...(options.propagate ?? [])];
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    multipart: true,
    transports: { http: httpTransport },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) =>
        Object.fromEntries(propagated.map((name) => [name, request.headers.get(name) ?? undefined])),
    },
    ...(options.hmacSignature ? { hmacSignature: options.hmacSignature } : {}),
    logging: false,
    plugins: () => [ownSignalPerSubgraphRequest],
  });
  const server = createServer(gateway);
  const started = await listen(server, '/graphql');
  return {
    url: started.url,
    async close() {
      await started.close();
      await gateway.dispose();
    },
  };
}

/**
 * Every subgraph request of Hive's HTTP executor carries the executor's one dispose signal, and
 * node:http adds an abort listener to it per request in flight: 11 concurrent uploads made Node
 * warn "MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]" (no leak: each is
 * removed when its request ends). AbortSignal.any gives each request a signal of its own that still
 * follows the shared one, without a listener on it.
 */
const ownSignalPerSubgraphRequest = {
  onFetch({ options, setOptions }: { options: RequestInit; setOptions(options: RequestInit): void }) {
    if (options.signal) setOptions({ ...options, signal: AbortSignal.any([options.signal]) });
  },
};

function listen(server: Server, path: string): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}${path}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
