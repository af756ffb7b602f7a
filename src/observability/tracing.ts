import { type Attributes, SpanKind, trace } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import { redactQuery } from '../vod/redact.js';

/**
 * Whether the standard variables configure a trace exporter: OTEL_TRACES_EXPORTER (other than
 * `none`), or an OTLP endpoint. Tracing is off otherwise, and its packages are not even loaded.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporter = env['OTEL_TRACES_EXPORTER'];
  if (exporter === 'none') return false;
  return Boolean(exporter || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

/**
 * The service name spans carry unless OTEL_SERVICE_NAME, or `service.name` in
 * OTEL_RESOURCE_ATTRIBUTES, names another: the log lines' `service` (the SDK's own default,
 * `unknown_service:node`, would tell a trace backend nothing).
 */
export const DEFAULT_SERVICE_NAME = 'vod-cover-gateway';

/**
 * Whether the environment names the service, as the SDK reads it: OTEL_SERVICE_NAME, or
 * `service.name` among OTEL_RESOURCE_ATTRIBUTES' comma-separated `key=value` pairs (keys
 * percent-decoded).
 */
export function serviceNamed(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['OTEL_SERVICE_NAME']) return true;
  return (env['OTEL_RESOURCE_ATTRIBUTES'] ?? '').split(',').some((pair) => {
    const [key, ...value] = pair.split('=');
    if (value.length !== 1) return false;
    try {
      return decodeURIComponent(key!.trim()) === 'service.name';
    } catch {
      return false;
    }
  });
}

/** The running OpenTelemetry SDK, and the Yoga plugin that gives each operation its span. */
export interface Tracing {
  plugin: Plugin;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK the standard way (@opentelemetry/sdk-node reads OTEL_SERVICE_NAME,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL and the rest; the service is named
 * {@link DEFAULT_SERVICE_NAME} unless they name it), with undici's
 * instrumentation (a client span per VOD attempt, `traceparent` on its request) and envelop's
 * plugin for the operations. These are optional peers: only tracing needs them.
 *
 * A client span's `url.full` and `url.query` name a signed request's SecretId, Signature and Token
 * only as `REDACTED`; no request header is recorded (API 3.0 signs in Authorization and
 * X-TC-Token), and the caller's baggage never reaches VOD (see `inRequestContext`).
 */
export async function startTracing(): Promise<Tracing> {
  let modules: [
    typeof import('@opentelemetry/sdk-node'),
    typeof import('@opentelemetry/instrumentation-undici'),
    typeof import('@envelop/opentelemetry'),
  ];
  try {
    modules = await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-undici'),
      import('@envelop/opentelemetry'),
    ]);
  } catch (error) {
    throw new Error(
      'Tracing (OTEL_* variables set) needs: npm install @opentelemetry/sdk-node @opentelemetry/instrumentation-undici @envelop/opentelemetry',
      { cause: error },
    );
  }
  const [{ NodeSDK }, { UndiciInstrumentation }, { useOpenTelemetry }] = modules;
  // No `headersToSpanAttributes`: a captured header could be API 3.0's Authorization or X-TC-Token.
  const undici = new UndiciInstrumentation({ startSpanHook: redactedUrlAttributes });
  // A service name in code wins over the environment's, so it is given only when the environment names none.
  const sdk = new NodeSDK({
    instrumentations: [undici],
    ...(serviceNamed() ? {} : { serviceName: DEFAULT_SERVICE_NAME }),
  });
  sdk.start();
  const plugin = useOpenTelemetry(
    { resolvers: false, variables: false, result: false },
    trace.getTracerProvider() as Parameters<typeof useOpenTelemetry>[1],
    SpanKind.SERVER,
  ) as unknown as Plugin;
  return { plugin, shutdown: () => sdk.shutdown() };
}

/**
 * What stands for a redacted value in a span: OpenTelemetry's own word (the HTTP instrumentation
 * writes it for `Signature` and the like in `url.full`).
 */
const REDACTED = 'REDACTED';

/**
 * undici's `url.full` and `url.query` of a client span with the credentials of a signed request
 * redacted. As a `startSpanHook` they replace undici's own before the span starts, so no sampler,
 * span processor, exporter or debug line (OTEL_LOG_LEVEL=debug prints every span it exports) ever
 * holds the secret. A URL undici cannot read gets no span at all (the instrumentation's own rule).
 */
export function redactedUrlAttributes(request: { origin: string; path: string }): Attributes {
  let url: URL;
  try {
    url = new URL(request.path, request.origin);
  } catch {
    return {};
  }
  const query = redactQuery(url.search, REDACTED);
  // origin + path, not href: href would keep a `user:password@` too.
  return { 'url.full': `${url.origin}${url.pathname}${query}${url.hash}`, 'url.query': query };
}
