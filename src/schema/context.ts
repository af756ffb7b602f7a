import type { UploadPolicy } from '../auth/upload-policy.js';
import type { AuthenticatedCaller } from '../auth/use-authentication.js';
import type { UploadRequest } from '../multipart/upload-request.js';
import type { CoverLoader } from '../ledger/cover-loader.js';
import type { CoverUploader } from '../upload/upload-cover.js';

/** What every resolver gets. */
export interface GatewayContext {
  /** The cover data path. */
  covers: CoverUploader;
  /** Videos' latest covers from the ledger, batched per request. */
  coverLoader: CoverLoader;
  /** The request as Yoga sees it; its `signal` aborts when the client goes away before the answer. */
  request?: Request;
  /** Set by the multipart transport: what it knows of the request the upload arrives in. */
  uploadRequest?: UploadRequest;
  /** Set by authentication: the verified token's claims. */
  auth?: AuthenticatedCaller;
  /** Who may change which cover (scope, per-video rule); absent: everyone who got this far. */
  uploadPolicy?: UploadPolicy;
  /** Set by `useRequestId`: the request's id, for logs. */
  requestId?: string;
  /** Set by `useIdempotencyKey`: the request's Idempotency-Key. */
  idempotencyKey?: string;
}
