/**
 * The fit process: a child of the gateway (fit-processes.ts forks it) that runs one transform at a
 * time with sharp and answers over the IPC channel. It is a process of its own so that the gateway
 * can end a transform at its deadline, or when the client has gone, by ending the process: libvips
 * decodes in native threads that no timer and no worker_threads `terminate()` can stop (a crafted
 * progressive JPEG keeps libjpeg busy for 20 s before sharp's own timeout is looked at).
 */
import { createRequire } from 'node:module';
import type sharpModule from 'sharp';
import { transformCover, type FitTarget, type TransformResult } from './fit-transform.js';

/** What the gateway sends: one input to fit. */
export interface FitRequest {
  input: Uint8Array;
  target: FitTarget;
}

/** What the process sends: `ready` once sharp is loaded, then one answer per request. */
export type FitProcessMessage = { ready: true } | { ready: false; error: string } | { result: TransformResult };

function send(message: FitProcessMessage): void {
  process.send?.(message);
}

let sharp: typeof sharpModule;
try {
  sharp = createRequire(import.meta.url)('sharp') as typeof sharpModule;
  // libvips' operation cache keeps decoded images between calls: memory no upload needs again.
  sharp.cache(false);
  // One libvips thread: the gateway runs as many fit processes as cores, one transform each; more
  // threads per process would only take turns on the same cores, each with its own buffers.
  sharp.concurrency(1);
  // Ready once a first transform has run: a new process's first one pays for loading libvips'
  // decoders, which is not the time of the upload it would be measured against.
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
    .jpeg()
    .toBuffer()
    .then((jpeg) => sharp(jpeg).resize(4).png().toBuffer());
  send({ ready: true });
} catch (error) {
  send({ ready: false, error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

process.on('message', (message: FitRequest) => {
  const { input, target } = message;
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  transformCover(sharp, bytes, target).then(
    (result) => send({ result }),
    (error: unknown) =>
      send({ result: { ok: false, reason: 'UNDECODABLE', detail: error instanceof Error ? error.message : 'failed' } }),
  );
});
// The gateway went away (or closed the channel): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
