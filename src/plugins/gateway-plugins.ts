import { varyByOrigin } from '../http/cors.js';
import { useBodyLimit } from './use-body-limit.js';
import { useOperationLimits } from './use-operation-limits.js';
import { useRepresentationsLimit } from './use-representations-limit.js';

/** What the server's own plugins are set up from (the gateway's options of the same names). */
export interface ServerPluginsOptions {
  /** Some origins are allowed: answers then differ by Origin. */
  corsOrigins: readonly string[];
  maxBodySize?: number | undefined;
  maxRepresentations?: number | undefined;
  introspection: boolean;
}

/**
 * The gateway's server-wide plugins, after the cover uploads' own (`createCoverUploads().plugins`:
 * request id, authentication, CSRF, the multipart bound, Idempotency-Key, streaming uploads, in
 * that order, so whatever can refuse a request without its body comes before anything reads it):
 * the bound of JSON bodies, then the operation's bounds before execution.
 */
export function serverPlugins(options: ServerPluginsOptions) {
  return [
    // Caches must know that the CORS headers depend on the request's Origin.
    ...(options.corsOrigins.length > 0 ? [varyByOrigin] : []),
    useBodyLimit({ maxBodySize: options.maxBodySize, maxMultipartSize: false }),
    useRepresentationsLimit(options.maxRepresentations),
    ...useOperationLimits(options.introspection),
  ];
}
