import type { Plugin } from 'graphql-yoga';
import type { UploadPolicy } from '../auth/upload-policy.js';
import { createCoverLoader } from '../ledger/cover-loader.js';
import type { CoverStore } from '../ledger/cover-store.js';
import type { GatewayContext } from '../schema/context.js';
import type { CoverUploader } from '../upload/upload-cover.js';

/** What the cover resolvers read from a request's context. */
export type CoverContext = Pick<GatewayContext, 'covers' | 'coverLoader' | 'uploadPolicy'>;

/** What the cover resolvers need in every request's context, whoever serves the schema. */
export interface CoverContextParts {
  covers: CoverUploader;
  ledger: CoverStore;
  uploadPolicy?: UploadPolicy | undefined;
}

/**
 * The context the cover resolvers read (`covers`, a per-request `coverLoader`, `uploadPolicy`), for
 * one request: what a server without Yoga plugins (Apollo Server) returns from its `context`.
 */
export function coverContext(parts: CoverContextParts): CoverContext {
  return {
    covers: parts.covers,
    coverLoader: createCoverLoader(parts.ledger),
    ...(parts.uploadPolicy ? { uploadPolicy: parts.uploadPolicy } : {}),
  };
}

/** Puts {@link coverContext} on every Yoga request's context, beside the host's own. */
export function useCoverContext(parts: CoverContextParts): Plugin<CoverContext> {
  return {
    onContextBuilding({ extendContext }) {
      extendContext(coverContext(parts));
    },
  };
}
