/** A body to read: a web `ReadableStream` (fetch's, Yoga's), or chunks to iterate (undici's body, a Node stream). */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * A whole body of at most `maxBytes`, or undefined as soon as it passes them: reading stops there
 * and the source is cancelled. The one bounded reader of the small bodies the service takes whole
 * (a JSON request, a key set, a VOD answer); uploads stream instead (upload/read-upload.ts).
 */
export async function readAtMost(body: BodySource | null | undefined, maxBytes: number): Promise<Buffer | undefined> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const keep = (chunk: Uint8Array): boolean => {
    size += chunk.byteLength;
    chunks.push(chunk);
    return size <= maxBytes;
  };
  if (typeof (body as ReadableStream).getReader === 'function') {
    // By its reader, cancelled on overflow: leaving a for-await early over whatwg-node's request
    // body destroys the socket, and the 413 never reaches the client.
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      if (!keep(read.value)) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
    }
  } else {
    // Leaving the loop early destroys a Node stream.
    for await (const chunk of body as AsyncIterable<Uint8Array>) if (!keep(chunk)) return undefined;
  }
  return Buffer.concat(chunks, size);
}
