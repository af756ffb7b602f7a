import { print } from 'graphql';
import {
  UploadPhotoDocument,
  UploadVideoCoverDocument,
  type UploadPhotoMutation,
  type UploadVideoCoverMutation,
} from '../generated/graphql.js';

export interface SendUploadOptions {
  fileId?: string;
  bytes: Buffer;
  filename: string;
  /** @default { 'x-graphql-yoga-csrf': '1' } */
  headers?: Record<string, string>;
}

export interface GraphQLAnswer<T> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export const VIDEO_FILE_ID = '9031868222807461771';

/**
 * `uploadVideoCover` as a spec-compliant multipart form (operations, map, one file part `0` for
 * `$file`), as apollo-upload-client builds it. `query` replaces the operation document.
 */
export function uploadForm(options: {
  bytes: Uint8Array;
  filename: string;
  fileId?: string;
  query?: string;
  type?: string;
}): FormData {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: options.query ?? print(UploadVideoCoverDocument),
      variables: { fileId: options.fileId ?? VIDEO_FILE_ID, file: null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append(
    '0',
    new File([options.bytes as Uint8Array<ArrayBuffer>], options.filename, options.type ? { type: options.type } : {}),
  );
  return form;
}

/** Sends `uploadVideoCover` as a spec-compliant multipart request (operations, map, file part). */
export async function sendUpload(
  url: string,
  options: SendUploadOptions,
): Promise<GraphQLAnswer<UploadVideoCoverMutation>> {
  const form = uploadForm(options);
  const res = await fetch(url, {
    method: 'POST',
    body: form,
    headers: options.headers ?? { 'x-graphql-yoga-csrf': '1' },
  });
  return { status: res.status, body: (await res.json()) as GraphQLAnswer<UploadVideoCoverMutation>['body'] };
}

/** The union member of an answer, or a failure naming what came instead. */
export function resultOf(
  answer: GraphQLAnswer<UploadVideoCoverMutation>,
): UploadVideoCoverMutation['uploadVideoCover'] {
  const result = answer.body.data?.uploadVideoCover;
  if (!result) throw new Error(`no uploadVideoCover in ${answer.status} ${JSON.stringify(answer.body)}`);
  return result;
}

/** `uploadVideoCover` selecting what a stored image is (size, width, height, transformed): its union member. */
export async function sendPhoto(
  url: string,
  bytes: Buffer,
  filename: string,
  fileId = VIDEO_FILE_ID,
): Promise<UploadPhotoMutation['uploadVideoCover']> {
  const form = uploadForm({ bytes, filename, fileId, query: print(UploadPhotoDocument) });
  const res = await fetch(url, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
  const body = (await res.json()) as { data?: UploadPhotoMutation; errors?: unknown };
  if (!body.data) throw new Error(`no data: ${JSON.stringify(body)}`);
  return body.data.uploadVideoCover;
}
