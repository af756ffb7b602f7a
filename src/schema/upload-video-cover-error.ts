import type { UploadCoverError } from '../upload/upload-result.js';
import type { Builder } from './builder.js';
import type { defineUploadErrorReason } from './upload-error-reason.js';

/** The error member of the result union. */
export function defineUploadVideoCoverError(builder: Builder, reason: ReturnType<typeof defineUploadErrorReason>) {
  return builder.objectRef<UploadCoverError>('UploadVideoCoverError').implement({
    description:
      'The cover was not stored. Nothing was stored at VOD unless `reason` is VOD_UNAVAILABLE after a timeout (then sending again is safe: VOD answers `instant`).',
    fields: (t) => ({
      code: t.exposeInt('code', {
        description:
          "VOD's code for legacy VOD answers; the code VOD would give for faults found before calling it (-10003 names, types, ids; -10006 sizes); -2000x for the gateway's own; -2010x for API 3.0 errors, one per class (the vendor's code is in vodErrorCode).",
      }),
      vodErrorCode: t.string({
        nullable: true,
        description:
          "API 3.0's own error code, such as InvalidParameterValue.FileId; null for the legacy API and for faults found before calling VOD.",
        resolve: (result) => result.vodErrorCode ?? null,
      }),
      vodRequestId: t.string({
        nullable: true,
        description:
          "VOD's id of the request that answered (API 3.0's RequestId), which the vendor's support asks for first; null when VOD did not answer, or gave none (the legacy API).",
        resolve: (result) => result.vodRequestId ?? null,
      }),
      message: t.exposeString('message', { description: 'What went wrong, for people.' }),
      canRetry: t.exposeBoolean('canRetry', { description: 'Whether sending the same upload again may succeed.' }),
      reason: t.expose('reason', { type: reason, description: 'Why, for programs.' }),
    }),
  });
}
