import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UploadRequest } from './http/upload-request.js';
import type { CoverLoader } from './ledger/cover-loader.js';
import type { CoverUploader } from './upload/upload-cover.js';

/** What every resolver gets. */
export interface GatewayContext {
  /** The cover data path. */
  covers: CoverUploader;
  /** Videos' latest covers from the ledger, batched per request. */
  coverLoader: CoverLoader;
  /** The Node request and response, when served by node:http (absent under `yoga.fetch`). */
  req?: IncomingMessage;
  res?: ServerResponse;
  /** Set by the multipart transport: what it knows of the request the upload arrives in. */
  uploadRequest?: UploadRequest;
}
