/** Stand-in for observability/metrics.ts: metrics that count nothing, and an empty /metrics. */
import type { GatewayMetrics } from '../../src/observability/metrics.js';

export function createMetrics(): GatewayMetrics {
  const none = { inc() {}, dec() {}, set() {}, observe() {} };
  const registry = { contentType: 'text/plain; version=0.0.4', metrics: async () => '' };
  return {
    registry,
    uploads: none,
    bytesReceived: none,
    uploadSize: none,
    vodCallDuration: none,
    vodRetries: none,
    uploadsInFlight: none,
    singleFlightJoins: none,
    ledgerWriteFailures: none,
    ledgerPending: none,
    ledgerDropped: none,
  } as unknown as GatewayMetrics;
}
