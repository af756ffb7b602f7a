/**
 * OpenTelemetry, configured the standard way (OTEL_* variables), through the real service and a
 * real OTLP/HTTP receiver on loopback (http/json): a router's `traceparent` is continued, the
 * operation, the upload's read, the VOD call (one client span per attempt) and the ledger write
 * have spans under the router's trace id, VOD's RequestId is an attribute, and the VOD request
 * carries the same trace id in its own `traceparent`. What VOD authenticates with (SecretId,
 * Signature, token) is in no span and no log line, and a caller's baggage never reaches VOD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator, type VodEmulator } from '../../src/emulator/server.js';
import { images } from '../fixtures/images.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { attributeOf, type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { type RecordedRequest, startRecordingProxy } from '../helpers/recording-proxy.js';
import { startService } from '../helpers/service.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ROUTER_SPAN = 'b7ad6b7169203331';
/** A temporary credential's token (VOD_TOKEN): long and unlike anything else, so any leak shows. */
const TOKEN = 'stsTokenOfTheTracingTest7f3a9c0d51e2b846';

/** The service's environment for tracing to `receiver` through OTLP/HTTP JSON. */
function tracingEnv(receiver: OtlpReceiver): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: 'covers-under-test',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_BSP_SCHEDULE_DELAY: '50',
  };
}

/**
 * What a signed URL looks like with its credentials redacted, written here apart from src/: each
 * SecretId, Signature and Token value as `REDACTED`, every other byte as sent.
 */
const redactedAsExpected = (pathAndQuery: string) =>
  pathAndQuery.replace(/([?&](?:SecretId|Signature|Token)=)[^&#]*/g, '$1REDACTED');

/** The query of a path, with its `?` (as `url.query` holds it), or `''`. */
const queryOf = (pathAndQuery: string) =>
  pathAndQuery.includes('?') ? pathAndQuery.slice(pathAndQuery.indexOf('?')) : '';

describe('tracing with OpenTelemetry', () => {
  let receiver: OtlpReceiver;
  let emulator: VodEmulator;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    emulator = await startVodEmulator();
  });
  afterAll(async () => {
    await emulator.close();
    await receiver.close();
  });
  /** The client span of the attempt that sent `request`: the span its `traceparent` names. */
  const spanOf = (request: RecordedRequest) =>
    receiver.spans.find((span) => span.spanId === String(request.headers.traceparent).split('-')[2]);

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
    await receiver.spansNamed('ledger.record', 'mutation.UploadVideoCover');
    const names = () => receiver.spans.map((s) => s.name);

    expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([TRACE_ID]));
    expect(names()).toEqual(
      expect.arrayContaining(['mutation.UploadVideoCover', 'cover.read', 'vod.set_cover', 'POST', 'ledger.record']),
    );
    expect(new Set(receiver.services)).toEqual(new Set(['covers-under-test']));
    const vodCall = receiver.spans.find((s) => s.name === 'vod.set_cover')!;
    const attempt = receiver.spans.find((s) => s.name === 'POST')!;
    // The attempt's client span nests in the VOD call's; the call's span carries VOD's RequestId.
    expect(attempt.parentSpanId).toBe(vodCall.spanId);
    expect(attributeOf(vodCall, 'vod.request_id')).toMatch(/^[0-9a-f-]{36}$/);
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

  it.each([
    ['legacy', 'in the query'],
    ['v3', 'in the Authorization and X-TC-Token headers'],
  ])(
    'keeps the SecretId, Signature and token out of every span, event and log line, debug ones included (%s API, signed %s)',
    async (api) => {
      receiver.clear();
      emulator.reset();
      // The first attempt is dropped: its client span records the failure as an exception event.
      emulator.inject({ kind: 'drop' }, 1);
      const vod = await startRecordingProxy(emulator.url);
      try {
        await using service = await startService({
          VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
          VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
          VOD_TOKEN: TOKEN,
          VOD_BASE_URL: vod.url,
          VOD_API: api,
          ...tracingEnv(receiver),
          OTEL_LOG_LEVEL: 'debug',
          LOG_LEVEL: 'debug',
        });
        const answer = await sendUpload(service.url, {
          bytes: images.png,
          filename: 'cover.png',
          headers: { 'x-graphql-yoga-csrf': '1', traceparent: `00-${TRACE_ID}-${ROUTER_SPAN}-01` },
        });
        expect(resultOf(answer).__typename).toBe('UploadVideoCoverSuccess');
        await receiver.spansNamed('ledger.record', 'mutation.UploadVideoCover');
        // Stopped, so that the exporter has flushed and the debug lines of its last export are printed.
        await service.stop();

        // Each attempt's client span has the URL VOD got, redacted; the dropped one's exception event too.
        expect(vod.requests).toHaveLength(2);
        for (const sent of vod.requests) {
          expect(attributeOf(spanOf(sent), 'url.full')).toBe(`${vod.url}${redactedAsExpected(sent.url)}`);
          expect(attributeOf(spanOf(sent), 'url.query') ?? '').toBe(queryOf(redactedAsExpected(sent.url)));
        }
        const [dropped] = vod.requests;
        expect(spanOf(dropped!)?.events?.map((e) => e.name)).toEqual(['exception']);
        if (api === 'legacy')
          expect(attributeOf(spanOf(dropped!), 'url.query')).toMatch(
            /^\?Action=SmallFileUpload&.*&SecretId=REDACTED&SignatureMethod=HmacSHA1&Token=REDACTED&.*&Signature=REDACTED$/,
          );

        // Every value VOD authenticated the two attempts with: the signatures as sent and decoded.
        const signatures = vod.requests.flatMap(({ url, headers }) => {
          const signature =
            api === 'legacy'
              ? new URLSearchParams(queryOf(url)).get('Signature')
              : /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1];
          return [signature!, encodeURIComponent(signature!)];
        });
        if (api === 'v3') expect(vod.requests.map((r) => r.headers['x-tc-token'])).toEqual([TOKEN, TOKEN]);
        const secrets = [DEV_CREDENTIAL.secretId, DEV_CREDENTIAL.secretKey, TOKEN, ...signatures];
        const leaks = (text: string) => secrets.filter((secret) => text.includes(secret));
        expect(receiver.bodies.length).toBeGreaterThan(0);
        expect(leaks(receiver.bodies.join('\n'))).toEqual([]);

        // OTEL_LOG_LEVEL=debug prints every span it exports: the redacted ones.
        const printed = service.printed();
        for (const sent of vod.requests)
          expect(printed).toContain(`'url.query': '${queryOf(redactedAsExpected(sent.url))}'`);
        expect(leaks(printed)).toEqual([]);
      } finally {
        await vod.close();
      }
    },
    60_000,
  );

  it("passes no baggage of the caller's on to VOD, however large, and still continues its traceparent", async () => {
    receiver.clear();
    emulator.reset();
    const vod = await startRecordingProxy(emulator.url);
    try {
      await using service = await startService({
        VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
        VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
        VOD_BASE_URL: vod.url,
        ...tracingEnv(receiver),
      });
      // 200 members, about 6 KB: W3C baggage a client could send with every upload.
      const baggage = Array.from({ length: 200 }, (_, i) => `session${i}=${'s'.repeat(20)}`).join(',');
      const answer = await sendUpload(service.url, {
        bytes: images.png,
        filename: 'cover.png',
        headers: { 'x-graphql-yoga-csrf': '1', traceparent: `00-${TRACE_ID}-${ROUTER_SPAN}-01`, baggage },
      });
      expect(resultOf(answer).__typename).toBe('UploadVideoCoverSuccess');
      expect(vod.requests).toHaveLength(1);
      const [sent] = vod.requests;
      expect(sent!.headers.baggage).toBeUndefined();
      expect(Object.keys(sent!.headers).filter((name) => /baggage|ctx-/i.test(name))).toEqual([]);
      expect(sent!.headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    } finally {
      await vod.close();
    }
  }, 30_000);

  it.each<[string, Record<string, string | undefined>, string]>([
    ['vod-cover-gateway, as the log lines, when nothing names it', {}, 'vod-cover-gateway'],
    ['by OTEL_SERVICE_NAME', { OTEL_SERVICE_NAME: 'covers-by-name' }, 'covers-by-name'],
    [
      "by OTEL_RESOURCE_ATTRIBUTES' service.name",
      { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test, service.name = covers-by-attribute' },
      'covers-by-attribute',
    ],
    [
      'by OTEL_SERVICE_NAME over OTEL_RESOURCE_ATTRIBUTES',
      { OTEL_SERVICE_NAME: 'covers-by-name', OTEL_RESOURCE_ATTRIBUTES: 'service.name=covers-by-attribute' },
      'covers-by-name',
    ],
  ])('names the service %s', async (_case, env, expected) => {
    receiver.clear();
    await using service = await startService({
      VOD_SECRET_ID: DEV_CREDENTIAL.secretId,
      VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey,
      VOD_BASE_URL: emulator.url,
      ...tracingEnv(receiver),
      OTEL_SERVICE_NAME: undefined,
      ...env,
    });
    expect(resultOf(await sendUpload(service.url, { bytes: images.png, filename: 'cover.png' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    await receiver.spansNamed('ledger.record', 'mutation.UploadVideoCover');
    expect(new Set(receiver.services)).toEqual(new Set([expected]));
  });

  it('is off without OTEL_* variables: nothing is exported, and VOD gets no traceparent', async () => {
    receiver.clear();
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
