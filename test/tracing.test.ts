/**
 * OpenTelemetry, configured the standard way (OTEL_* variables), through the real service and a
 * real OTLP/HTTP receiver on loopback (http/json): a router's `traceparent` is continued, the
 * operation, the upload's read, the VOD call (one client span per attempt) and the ledger write
 * have spans under the router's trace id, VOD's RequestId is an attribute, and the VOD request
 * carries the same trace id in its own `traceparent`.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from '../src/emulator/server.js';
import { images } from './fixtures/images.js';
import { resultOf, sendUpload } from './helpers/multipart.js';
import { startService } from './helpers/service.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

/** An OTLP/HTTP JSON receiver: every span posted to /v1/traces, and the resources they came with. */
function startReceiver() {
  const spans: OtlpSpan[] = [];
  const services: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
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
  return new Promise<{ url: string; spans: OtlpSpan[]; services: string[]; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        spans,
        services,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ROUTER_SPAN = 'b7ad6b7169203331';

describe('tracing with OpenTelemetry', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let emulator: VodEmulator;
  beforeAll(async () => {
    receiver = await startReceiver();
    emulator = await startVodEmulator();
  });
  afterAll(async () => {
    await emulator.close();
    await receiver.close();
  });

  it("continues the router's trace: operation, read, VOD attempt and ledger spans, traceparent to VOD", async () => {
    await using service = await startService({
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      VOD_BASE_URL: emulator.url,
      VOD_API: 'v3',
      OTEL_SERVICE_NAME: 'covers-under-test',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      LOG_LEVEL: 'info',
    });
    const answer = await sendUpload(service.url, {
      bytes: images.png,
      filename: 'cover.png',
      headers: { 'x-graphql-yoga-csrf': '1', traceparent: `00-${TRACE_ID}-${ROUTER_SPAN}-01` },
    });
    expect(resultOf(answer).__typename).toBe('UploadVideoCoverSuccess');
    const names = () => receiver.spans.map((s) => s.name);
    for (let i = 0; i < 100 && !['ledger.record', 'mutation.UploadVideoCover'].every((n) => names().includes(n)); i++)
      await new Promise((r) => setTimeout(r, 50));

    expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([TRACE_ID]));
    expect(names()).toEqual(
      expect.arrayContaining(['mutation.UploadVideoCover', 'cover.read', 'vod.set_cover', 'POST', 'ledger.record']),
    );
    expect(new Set(receiver.services)).toEqual(new Set(['covers-under-test']));
    const vodCall = receiver.spans.find((s) => s.name === 'vod.set_cover')!;
    const attempt = receiver.spans.find((s) => s.name === 'POST')!;
    // The attempt's client span nests in the VOD call's; the call's span carries VOD's RequestId.
    expect(attempt.parentSpanId).toBe(vodCall.spanId);
    expect(vodCall.attributes?.find((a) => a.key === 'vod.request_id')?.value.stringValue).toMatch(/^[0-9a-f-]{36}$/);
    // VOD saw the same trace, from the attempt's span.
    expect(emulator.calls.at(-1)?.traceparent).toBe(`00-${TRACE_ID}-${attempt.spanId}-01`);
    // And the upload's log line names it.
    const lines = service
      .printed()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; traceId?: string });
    expect(lines.find((line) => line.msg === 'upload')?.traceId).toBe(TRACE_ID);
  }, 30_000);

  it('is off without OTEL_* variables: nothing is exported, and VOD gets no traceparent', async () => {
    receiver.spans.length = 0;
    emulator.reset();
    await using service = await startService({
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      VOD_BASE_URL: emulator.url,
    });
    const answer = await sendUpload(service.url, {
      bytes: images.png,
      filename: 'cover.png',
      headers: { 'x-graphql-yoga-csrf': '1', traceparent: `00-${TRACE_ID}-${ROUTER_SPAN}-01` },
    });
    expect(resultOf(answer).__typename).toBe('UploadVideoCoverSuccess');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.spans).toEqual([]);
    expect(emulator.calls.at(-1)?.traceparent).toBeUndefined();
  });
});
