import type { UploadCoverError, UploadCoverSuccess } from './outcomes.js';

export type { UploadCoverError, UploadCoverSuccess, UploadErrorReason } from './outcomes.js';

export type UploadCoverResult = UploadCoverSuccess | UploadCoverError;
