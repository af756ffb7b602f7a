import { createServer, type IncomingHttpHeaders, request } from 'node:http';

/** One request as it reached the stand-in: what VOD itself would see on the wire. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** A running {@link startRecordingProxy}. */
export interface RecordingProxy {
  /** Base URL, for VOD_BASE_URL. */
  url: string;
  /** Every request received so far, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A VOD stand-in on loopback (port 0) that records each request's method, URL and headers and
 * passes it on, body and all, to `upstream` (the emulator), answering with what it answers. Both
 * APIs sign the bare host name, so a request signed for the stand-in checks out upstream.
 */
export function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    const onward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    onward.on('error', () => res.destroy());
    req.pipe(onward);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}
