/**
 * Hand-made multipart/form-data bodies (the GraphQL multipart request spec's framing, nothing
 * escaped or reordered), for the tests and the benchmark alike.
 */

/** One part of a hand-made multipart body: a field, or a file with a raw (unescaped) file name. */
export type RawPart =
  | { name: string; value: string }
  | { name: string; filename: string; bytes: Buffer; contentType?: string };

export const BOUNDARY = '----vodCoverGatewayTestBoundary';

/** A multipart/form-data body exactly as given: nothing escaped, nothing reordered. */
export function multipartBody(parts: RawPart[], { close = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
          'utf8',
        ),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
          'utf8',
        ),
        part.bytes,
        Buffer.from('\r\n'),
      );
    }
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}
