import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, in a registry of its own (one per gateway). */
export interface GatewayMetrics {
  registry: Registry;
  uploads: Counter<'outcome' | 'reason'>;
  bytesReceived: Counter;
  uploadSize: Histogram;
  vodCallDuration: Histogram<'result'>;
  vodRetries: Counter;
  uploadsInFlight: Gauge;
  singleFlightJoins: Counter;
  ledgerWriteFailures: Counter;
  ledgerPending: Gauge;
  ledgerDropped: Counter;
  vodTurnWait: Histogram;
  vodTurnsRefused: Counter;
  /** Where `vod_cover_vod_calls_last_second` is read from at each scrape: the call budget's count. */
  countCallsWith(source: () => number): void;
}

/**
 * The gateway's metrics in a new registry, with Node's default ones. The groups register in the
 * order `/metrics` lists them.
 */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    ...uploadMetrics(registry),
    ...vodCallMetrics(registry),
    ...concurrencyMetrics(registry),
    ...ledgerMetrics(registry),
    ...callRateMetrics(registry),
  };
}

/** The account's VOD call rate: how long calls waited their turn, how many got none, the rate VOD sees. */
function callRateMetrics(
  registry: Registry,
): Pick<GatewayMetrics, 'vodTurnWait' | 'vodTurnsRefused' | 'countCallsWith'> {
  let source: () => number = () => 0;
  new Gauge({
    name: 'vod_cover_vod_calls_last_second',
    help: "VOD calls this replica made in the last second (retries included): the rate VOD sees from it (sum the replicas' for the account's).",
    registers: [registry],
    collect() {
      this.set(source());
    },
  });
  return {
    vodTurnWait: new Histogram({
      name: 'vod_cover_vod_turn_wait_seconds',
      help: "How long uploads' VOD calls waited for their turn of the account's call rate (VOD_RATE_LIMIT).",
      buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    vodTurnsRefused: new Counter({
      name: 'vod_cover_vod_turns_refused_total',
      help: "Uploads the account's call rate left no turn (its queue full, or past the call's deadline): VOD_UNAVAILABLE.",
      registers: [registry],
    }),
    countCallsWith: (read) => {
      source = read;
    },
  };
}

/** Uploads answered and the bytes they carried. */
function uploadMetrics(registry: Registry): Pick<GatewayMetrics, 'uploads' | 'bytesReceived' | 'uploadSize'> {
  return {
    uploads: new Counter({
      name: 'vod_cover_uploads_total',
      help: 'Uploads answered, by outcome (success, error) and reason (an UploadErrorReason, or "none").',
      labelNames: ['outcome', 'reason'],
      registers: [registry],
    }),
    bytesReceived: new Counter({
      name: 'vod_cover_upload_bytes_received_total',
      help: 'File bytes read from clients.',
      registers: [registry],
    }),
    uploadSize: new Histogram({
      name: 'vod_cover_upload_size_bytes',
      help: 'Size of the files read whole.',
      buckets: [1024, 16_384, 65_536, 262_144, 524_288, 786_432, 1_048_576],
      registers: [registry],
    }),
  };
}

/** The VOD calls that set covers. */
function vodCallMetrics(registry: Registry): Pick<GatewayMetrics, 'vodCallDuration' | 'vodRetries'> {
  return {
    vodCallDuration: new Histogram({
      name: 'vod_cover_vod_call_duration_seconds',
      help: 'Duration of VOD calls that set a cover (SmallFileUpload or ModifyMediaInfo), retries included, by result (ok, instant, rejected, retryable, or a transport error code).',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    vodRetries: new Counter({
      name: 'vod_cover_vod_retries_total',
      help: 'VOD attempts beyond the first (either API).',
      registers: [registry],
    }),
  };
}

/** Uploads under way, and those that joined a VOD call already in flight. */
function concurrencyMetrics(registry: Registry): Pick<GatewayMetrics, 'uploadsInFlight' | 'singleFlightJoins'> {
  return {
    uploadsInFlight: new Gauge({
      name: 'vod_cover_uploads_in_flight',
      help: 'Uploads being read or sent right now.',
      registers: [registry],
    }),
    singleFlightJoins: new Counter({
      name: 'vod_cover_single_flight_joins_total',
      help: 'Uploads that shared a VOD call already in flight for the same video and bytes.',
      registers: [registry],
    }),
  };
}

/** The cover ledger's writes (see `ledger/held-writes.ts`). */
function ledgerMetrics(
  registry: Registry,
): Pick<GatewayMetrics, 'ledgerWriteFailures' | 'ledgerPending' | 'ledgerDropped'> {
  return {
    ledgerWriteFailures: new Counter({
      name: 'vod_cover_ledger_write_failures_total',
      help: 'Cover ledger writes that failed (each held record is tried again).',
      registers: [registry],
    }),
    ledgerPending: new Gauge({
      name: 'vod_cover_ledger_pending_records',
      help: 'Successful uploads held in memory because the cover ledger does not take writes.',
      registers: [registry],
    }),
    ledgerDropped: new Counter({
      name: 'vod_cover_ledger_records_dropped_total',
      help: 'Held ledger records given up (queue full, or still unwritable at shutdown); each is logged whole at error level.',
      registers: [registry],
    }),
  };
}
