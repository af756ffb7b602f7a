import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CoverUploader } from './upload/upload-cover.js';

/** What every resolver gets. */
export interface GatewayContext {
  /** The cover data path. */
  covers: CoverUploader;
  /** The Node request and response, when served by node:http (absent under `yoga.fetch`). */
  req?: IncomingMessage;
  res?: ServerResponse;
  /** Set by the multipart layer: stop reading the request and close the connection after answering. */
  stopReadingRequest?: () => void;
}
