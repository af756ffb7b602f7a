import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { sendJson } from './send-json.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Graceful shutdown for a node:http server: `drain` stops taking connections and requests (a
 * request arriving on an open connection is answered 503), waits up to `graceMs` for the requests
 * in flight (uploads on their way to VOD included) to finish, then ends every connection.
 */
export function drainable(handler: Handler): {
  handler: Handler;
  draining(): boolean;
  drain(server: Server, graceMs: number): Promise<void>;
} {
  let inFlight = 0;
  let draining = false;
  let settled: (() => void) | undefined;

  return {
    handler(req, res) {
      if (draining) {
        const body = JSON.stringify({ errors: [{ message: 'The service is shutting down; send the request again.' }] });
        return sendJson(res, 503, body, { connection: 'close', 'retry-after': '1' });
      }
      inFlight++;
      res.once('close', () => {
        inFlight--;
        if (inFlight === 0) settled?.();
      });
      handler(req, res);
    },
    draining: () => draining,
    async drain(server, graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          settled = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
