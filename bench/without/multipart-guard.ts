/** Stand-in for http/multipart-guard.ts: no checks between the request and busboy. */
import type { MultipartGuard } from '../../src/http/multipart-guard.js';

export function guardMultipartParser(): MultipartGuard {
  return { refusal: () => undefined, bodyAccepted: Promise.resolve(true) };
}
