import { connect, type Socket } from 'node:net';

/**
 * A TCP connection to the host and port of `url`, for requests that an HTTP client would fix up
 * or refuse to send: what is written goes out byte for byte. `received()` is what came back so far;
 * `closed` settles with all of it once the connection closes.
 */
export function rawConnection(url: string): { socket: Socket; received(): string; closed: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const received = (): string => Buffer.concat(chunks).toString('utf8');
  const closed = new Promise<string>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received()));
  });
  return { socket, received, closed };
}

/**
 * Sends `data` (a request head, a partial body), then hangs up `afterMs` later, as a client that
 * goes away mid-request.
 */
export async function sendThenHangUp(url: string, data: (string | Buffer)[], afterMs: number): Promise<void> {
  const { socket, closed } = rawConnection(url);
  for (const chunk of data) socket.write(chunk);
  setTimeout(() => socket.destroy(), afterMs);
  await closed;
}

/** Sends a request head and resolves with the first status line the server answers (`HTTP/1.1 100 Continue`, …). */
export function firstStatusLine(url: string, head: string): Promise<string> {
  const { socket, received, closed } = rawConnection(url);
  return new Promise((resolve, reject) => {
    socket.on('data', () => {
      const text = received();
      const eol = text.indexOf('\r\n');
      if (eol === -1) return;
      resolve(text.slice(0, eol));
      socket.destroy();
    });
    void closed.then(() => reject(new Error(`closed before a status line: ${JSON.stringify(received())}`)));
    socket.write(head);
  });
}

/** A GET of `target` exactly as written (`//health` is not turned into a host), with its status and head. */
export async function rawGet(
  url: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; head: string; body: string }> {
  const { host } = new URL(url);
  const { socket, closed } = rawConnection(url);
  socket.write(
    [
      `GET ${target} HTTP/1.1`,
      `Host: ${host}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n'),
  );
  const text = await closed;
  const [head = '', ...rest] = text.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') };
}
