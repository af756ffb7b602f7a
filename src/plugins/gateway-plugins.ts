import type { Plugin } from 'graphql-yoga';
import { useCsrfHeaders } from '../http/csrf.js';
import { type AuthenticationOptions, useAuthentication } from '../auth/use-authentication.js';
import { varyByOrigin } from '../http/cors.js';
import type { GatewayContext } from '../schema/context.js';
import { useBodyLimit } from './use-body-limit.js';
import { useHangUpOnUnreadBody } from './use-hang-up-on-unread-body.js';
import { useIdempotencyKey } from './use-idempotency-key.js';
import { useOperationLimits } from './use-operation-limits.js';
import { useRepresentationsLimit } from './use-representations-limit.js';
import { useRequestId } from './use-request-id.js';
import { useStreamingUploads } from './use-streaming-uploads.js';

/** What the gateway's plugins are set up from (the gateway's options of the same names). */
export interface GatewayPluginsOptions {
  auth?: AuthenticationOptions;
  /** Some origins are allowed: answers then differ by Origin. */
  corsOrigins: readonly string[];
  csrfHeaders: readonly string[];
  maxBodySize?: number;
  maxFieldSize?: number;
  /** Longest multipart request that can hold a valid upload. */
  maxUploadRequestSize: number;
  maxRepresentations?: number;
  introspection: boolean;
  /** The user's own, run after the gateway's. */
  plugins?: Array<Plugin | Plugin<GatewayContext & Record<string, unknown>>>;
}

/**
 * The gateway's request pipeline, in the order it must run: whatever can refuse a request without
 * its body (authentication, CSRF, declared size) comes before anything reads the body, and the
 * operation's bounds before execution.
 */
export function gatewayPlugins(options: GatewayPluginsOptions) {
  const { auth, corsOrigins, csrfHeaders, maxUploadRequestSize } = options;
  return [
    useHangUpOnUnreadBody(),
    useRequestId(),
    ...(auth?.jwt || auth?.routerSignatureSecret ? [useAuthentication(auth)] : []),
    // Caches must know that the CORS headers depend on the request's Origin.
    ...(corsOrigins.length > 0 ? [varyByOrigin] : []),
    useCsrfHeaders(csrfHeaders),
    useBodyLimit({ maxBodySize: options.maxBodySize, maxMultipartSize: maxUploadRequestSize }),
    useIdempotencyKey(),
    useStreamingUploads({ maxFieldSize: options.maxFieldSize, maxRequestSize: maxUploadRequestSize }),
    useRepresentationsLimit(options.maxRepresentations),
    ...useOperationLimits(options.introspection),
    ...(options.plugins ?? []),
  ];
}
