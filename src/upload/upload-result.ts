import type { UploadCoverError } from './outcomes.js';

export type { UploadCoverError, UploadErrorReason } from './outcomes.js';

/** The success member of the result union. */
export interface UploadCoverSuccess {
  ok: true;
  /** The cover's fileId, as VOD returned it. */
  fileId: string;
  url: string;
  videoFileId: string;
  sha1: string;
  size: number;
  /** As the cover shows (its EXIF orientation applied), from its header. */
  width: number;
  height: number;
  /** True when the pixels were re-encoded (fitting); false when VOD got the file's own (metadata aside). */
  transformed: boolean;
  instant: boolean;
  /** VOD attempts it took (for logs; not in the schema). */
  attempts?: number;
  /** VOD's id of the request that answered (API 3.0's RequestId; for logs). */
  vodRequestId?: string;
}

export type UploadCoverResult = UploadCoverSuccess | UploadCoverError;
