import { createServer } from 'node:http';

/** One span as OTLP/HTTP JSON carries it. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
  events?: { name: string; attributes?: OtlpSpan['attributes'] }[];
}

/** A running {@link startOtlpReceiver}. */
export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Every span posted to /v1/traces so far. */
  spans: OtlpSpan[];
  /** The `service.name` of each batch's resource. */
  services: string[];
  /** Every body posted, to any path, as received (what an attribute or event could leak into). */
  bodies: string[];
  /** Waits until spans of all these names have arrived (or ~5 s have passed). */
  spansNamed(...names: string[]): Promise<OtlpSpan[]>;
  /** Forgets what was received. */
  clear(): void;
  close(): Promise<void>;
}

/** An OTLP/HTTP JSON receiver on loopback, port 0 (OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
export function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const services: string[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const rs of payload.resourceSpans) {
          services.push(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '');
          for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        spans,
        services,
        bodies,
        async spansNamed(...names) {
          const arrived = () => names.every((name) => spans.some((s) => s.name === name));
          for (let i = 0; i < 100 && !arrived(); i++) await new Promise((r) => setTimeout(r, 50));
          return spans;
        },
        clear() {
          spans.length = 0;
          services.length = 0;
          bodies.length = 0;
        },
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

/** The string value of a span's attribute, if it has one. */
export function attributeOf(span: OtlpSpan | undefined, key: string): string | undefined {
  return span?.attributes?.find((a) => a.key === key)?.value.stringValue;
}
