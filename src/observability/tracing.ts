import { SpanKind, trace } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';

/**
 * Whether the standard variables configure a trace exporter: OTEL_TRACES_EXPORTER (other than
 * `none`), or an OTLP endpoint. Tracing is off otherwise, and its packages are not even loaded.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporter = env['OTEL_TRACES_EXPORTER'];
  if (exporter === 'none') return false;
  return Boolean(exporter || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

/** The running OpenTelemetry SDK, and the Yoga plugin that gives each operation its span. */
export interface Tracing {
  plugin: Plugin;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK the standard way (@opentelemetry/sdk-node reads OTEL_SERVICE_NAME,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL and the rest), with undici's
 * instrumentation (a client span per VOD attempt, `traceparent` on its request) and envelop's
 * plugin for the operations. These are optional peers: only tracing needs them.
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
  const sdk = new NodeSDK({ instrumentations: [new UndiciInstrumentation()] });
  sdk.start();
  const plugin = useOpenTelemetry(
    { resolvers: false, variables: false, result: false },
    trace.getTracerProvider() as Parameters<typeof useOpenTelemetry>[1],
    SpanKind.SERVER,
  ) as Plugin;
  return { plugin, shutdown: () => sdk.shutdown() };
}
