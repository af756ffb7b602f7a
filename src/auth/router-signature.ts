import { createHmac, timingSafeEqual } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { isUploadValue } from '../multipart/upload-value.js';

/** Where Hive Gateway puts its HMAC upstream signature: `extensions["hmac-signature"]`. */
export const ROUTER_SIGNATURE_EXTENSION = 'hmac-signature';

/**
 * The text Hive Gateway's HMAC upstream signature covers, as its subgraph-side check builds it:
 * `{ query, variables }` as stable JSON (sorted keys, no spaces; `variables` left out when empty).
 * A file is signed as `{}`: the router cannot sign bytes it is still streaming, so the signature
 * covers the operation and every other variable, not the file's contents.
 */
export function routerSignedText(params: {
  query?: string | null;
  variables?: Record<string, unknown> | null;
}): string {
  const variables =
    params.variables != null && Object.keys(params.variables).length > 0
      ? withFilesAsEmpty(params.variables)
      : undefined;
  return stableStringify({ query: params.query ?? undefined, variables });
}

/** Whether `signature` (base64) is the HMAC-SHA256 of the signed text with `secret`; compared in constant time. */
export function isRouterSignatureValid(
  secret: string,
  params: Parameters<typeof routerSignedText>[0],
  signature: unknown,
): boolean {
  if (typeof signature !== 'string') return false;
  const expected = createHmac('sha256', secret).update(routerSignedText(params)).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Hive Gateway's side: give `hmacSignature.serializeExecutionRequest` this, wrapped around the
 * gateway's own serializer, so that a file is signed as `{}` there too (by default Hive Gateway
 * serializes the file object's internals, which a subgraph cannot rebuild). See the README.
 *
 * @example
 * import { defaultExecutionRequestSerializer } from '@graphql-mesh/hmac-upstream-signature';
 * hmacSignature: { secret, serializeExecutionRequest: (request) =>
 *   defaultExecutionRequestSerializer({ ...request, variables: withFilesAsEmpty(request.variables) }) }
 */
export function withFilesAsEmpty<T>(value: T): T {
  if (value instanceof Blob || isUploadValue(value)) return {} as T;
  if (Array.isArray(value)) return value.map(withFilesAsEmpty) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withFilesAsEmpty(inner)])) as T;
  }
  return value;
}
