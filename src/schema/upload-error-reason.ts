import { UPLOAD_ERROR_REASONS } from '../upload/upload-result.js';
import { builder } from './builder.js';

export const UploadErrorReasonEnum = builder.enumType('UploadErrorReason', {
  description: 'Why an upload failed, for clients to switch on.',
  values: Object.fromEntries(
    Object.entries(UPLOAD_ERROR_REASONS).map(([name, description]) => [name, { description }]),
  ) as {
    [K in keyof typeof UPLOAD_ERROR_REASONS]: { description: string };
  },
});
