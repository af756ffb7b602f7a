import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** What `/ready` checks; each answers whether that part is fit to serve. */
export type ReadinessChecks = Record<string, () => boolean | Promise<boolean>>;

/**
 * The operator's routes, answered before GraphQL: `/metrics` (Prometheus text), `/health`
 * (the process is alive), `/ready` (fit to take uploads: every check passes, or 503 naming those
 * that fail). Returns false for any other request.
 */
export function createOperatorRoutes(options: { registry: Registry; readiness: ReadinessChecks }) {
  const { registry, readiness } = options;

  return function route(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/health') {
      send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      return true;
    }
    if (path === '/ready') {
      void Promise.all(
        Object.entries(readiness).map(async ([name, check]) => [name, await Promise.resolve().then(check).catch(() => false)] as const),
      ).then((results) => {
        const checks = Object.fromEntries(results);
        const ready = results.every(([, ok]) => ok);
        send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
      });
      return true;
    }
    if (path === '/metrics') {
      void registry.metrics().then(
        (text) => send(res, 200, registry.contentType, text),
        () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
      );
      return true;
    }
    return false;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
