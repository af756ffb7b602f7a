import type { IncomingMessage, ServerResponse } from 'node:http';
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
  /** Set by the multipart layer: stop reading the request and close the connection after answering. */
  stopReadingRequest?: () => void;
}
