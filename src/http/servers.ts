import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainable } from './drain.js';
import { markAwaitingContinue } from './expect-continue.js';
import { sendJson } from './send-json.js';

/** A route answers a request it knows (true) or leaves it to the next (false). */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The listeners' timeouts and the shutdown's waits, in ms. */
export interface ServerTimeouts {
  /** Time a client has to send a request's headers (node:http `headersTimeout`). */
  headersTimeoutMs: number;
  /**
   * How long an idle keep-alive connection stays open (node:http `keepAliveTimeout`). Above the
   * idle timeouts of the proxies in front (cloud load balancers 60 s, nginx upstream 60 s), so that
   * a proxy never sends a request on a connection being closed (a 502). Node's own is 5 s.
   */
  keepAliveTimeoutMs: number;
  /** Time a client has to send a whole request (node:http `requestTimeout`). */
  requestTimeoutMs: number;
  /** On close, how long requests in flight may take to finish before connections are ended. */
  shutdownGraceMs: number;
  /** On close, how long `/ready` answers 503 while everything is still served (for a load balancer to notice). */
  shutdownDelayMs: number;
}

export const SERVER_DEFAULTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  requestTimeoutMs: 120_000,
  shutdownGraceMs: 10_000,
  shutdownDelayMs: 0,
};

export interface ServersOptions {
  /** Routes tried in order on the public listener; a request none takes goes to `fallback`. */
  routes: readonly Route[];
  fallback: (req: IncomingMessage, res: ServerResponse) => void;
  /** The operator's routes, when they have a listener of their own. */
  admin?: { port: number; route: Route };
  /** Each one left out (or undefined) is {@link SERVER_DEFAULTS}'. */
  timeouts?: Partial<ServerTimeouts>;
  /** Told when a handler throws; the request is answered 500. */
  onError(error: unknown, url: string | undefined): void;
}

export interface Servers {
  server: Server;
  adminServer?: Server;
  /** Listens (the admin listener too); resolves with the public base URL. An admin failure has `listener: 'admin'`. */
  listen(port: number, host: string): Promise<string>;
  /** False once closing began: `/ready` then answers 503. */
  accepting(): boolean;
  /** Waits `shutdownDelayMs`, drains the public listener within `shutdownGraceMs`, closes the admin one. */
  close(): Promise<void>;
}

/**
 * The gateway's node:http listeners: a public one that drains on close and answers `100 Continue`
 * only once a request passed the checks that need no body, and an optional admin one.
 */
export function createServers(options: ServersOptions): Servers {
  const { routes, fallback, admin, onError } = options;
  const timeouts = { ...SERVER_DEFAULTS };
  for (const key of Object.keys(SERVER_DEFAULTS) as Array<keyof ServerTimeouts>) {
    timeouts[key] = options.timeouts?.[key] ?? SERVER_DEFAULTS[key];
  }
  let closing = false;
  const shutdown = drainable((req, res) => {
    try {
      if (!routes.some((route) => route(req, res))) fallback(req, res);
    } catch (error) {
      // A bug of ours in a route outside Yoga: one 500, not the whole process.
      onError(error, req.url);
      sendJson(res, 500, JSON.stringify({ errors: [{ message: 'Unexpected error.' }] }));
    }
  });
  const nodeTimeouts = {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
  };
  // Node checks those timeouts on this tick (30 s by default: a slowloris would get 30 s).
  const connectionsCheckingInterval = Math.min(1000, timeouts.headersTimeoutMs);
  const server = createServer({ ...nodeTimeouts, connectionsCheckingInterval }, shutdown.handler);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    markAwaitingContinue(req);
    shutdown.handler(req, res);
  });
  const adminServer = admin
    ? createServer(nodeTimeouts, (req, res) => {
        if (!admin.route(req, res)) sendJson(res, 404, JSON.stringify({ error: 'not found' }));
      })
    : undefined;

  return {
    server,
    ...(adminServer ? { adminServer } : {}),
    async listen(port, host) {
      const url = await listenOn(server, port, host);
      if (adminServer && admin) {
        await listenOn(adminServer, admin.port, host).catch((error: Error) => {
          server.close();
          throw Object.assign(error, { listener: 'admin' });
        });
      }
      return url;
    },
    accepting: () => !closing && !shutdown.draining(),
    async close() {
      closing = true;
      if (server.listening && timeouts.shutdownDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, timeouts.shutdownDelayMs));
      }
      if (server.listening) await shutdown.drain(server, timeouts.shutdownGraceMs);
      if (adminServer?.listening) {
        await new Promise((resolve) => {
          adminServer.close(resolve);
          adminServer.closeAllConnections();
        });
      }
    },
  };
}

/** Listens; resolves with the base URL (`http://host:port`, `localhost` for a wildcard address). */
function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown === '0.0.0.0' || shown === '[::]' ? 'localhost' : shown}:${address.port}`);
    });
  });
}
