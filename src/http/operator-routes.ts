import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { sendJson } from './send-json.js';

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
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (path === '/health') {
      sendJson(res, 200, JSON.stringify({ status: 'ok' }), NO_STORE);
      return true;
    }
    if (path === '/ready') {
      void Promise.all(
        Object.entries(readiness).map(
          async ([name, check]) =>
            [
              name,
              await Promise.resolve()
                .then(check)
                .catch(() => false),
            ] as const,
        ),
      ).then((results) => {
        const checks = Object.fromEntries(results);
        const ready = results.every(([, ok]) => ok);
        sendJson(res, ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }), NO_STORE);
      });
      return true;
    }
    if (path === '/metrics') {
      void registry.metrics().then(
        (text) => {
          res.writeHead(200, {
            'content-type': registry.contentType,
            'content-length': Buffer.byteLength(text),
            ...NO_STORE,
          });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        () => sendJson(res, 503, JSON.stringify({ error: 'metrics unavailable' }), NO_STORE),
      );
      return true;
    }
    return false;
  };
}

const NO_STORE = { 'cache-control': 'no-store' };

const OPERATOR_PATHS: ReadonlySet<string> = new Set(['/metrics', '/health', '/ready']);

/**
 * For a public listener when the operator's routes have a listener of their own (ADMIN_PORT): their
 * paths answer 404 (Yoga would answer `/health` itself). Returns false for any other request.
 */
export function hideOperatorRoutes(req: IncomingMessage, res: ServerResponse): boolean {
  if (!OPERATOR_PATHS.has((req.url ?? '/').split('?', 1)[0]!)) return false;
  sendJson(res, 404, JSON.stringify({ error: 'not found' }));
  return true;
}
