import type { Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  DEV_CREDENTIAL,
  startVodEmulator,
  type VodEmulator,
  type VodEmulatorOptions,
} from '../../src/emulator/server.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import type { LegacyVodClientOptions } from '../../src/vod/legacy/client.js';

export interface GatewayHarness {
  emulator: VodEmulator;
  gateway: Gateway;
  /** The GraphQL URL. */
  url: string;
  /** Bytes the gateway's sockets read since the last reset (before each test). */
  bytesRead(): number;
  /** Sockets the gateway accepted since the last reset that are still open. */
  openSockets(): number;
}

/** A started emulator and gateway: closed by `close()` or at the end of an `await using` block; `reset()` between tests. */
export type StartedGateway = GatewayHarness & AsyncDisposable & { close(): Promise<void>; reset(): void };

/** VOD client settings for tests: fast retries. */
export const TEST_VOD_OPTIONS: Partial<LegacyVodClientOptions> = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

/**
 * Starts an emulator and a gateway on port 0 wired to it, on the legacy API unless
 * `gateway.vodApi` says otherwise (most tests were written for it; the code's default is API 3.0,
 * which test/vod/vod-api-default.test.ts proves). Closed by the caller.
 */
export async function startGateway(
  options: {
    vod?: Partial<LegacyVodClientOptions>;
    gateway?: Partial<GatewayOptions>;
    emulator?: VodEmulatorOptions;
  } = {},
): Promise<StartedGateway> {
  // Their subject is not the rate; the gateway's own limit is tested in its own tests.
  const emulator = await startVodEmulator({ rateLimit: false, ...options.emulator });
  const gateway = createGateway({
    vod: { ...DEV_CREDENTIAL, baseUrl: emulator.url, ...TEST_VOD_OPTIONS, ...options.vod },
    vodApi: 'legacy',
    logging: false,
    logger: false,
    ...options.gateway,
  });
  const url = await gateway.listen(0, '127.0.0.1');
  // Each socket with its bytesRead at the last reset.
  const sockets = new Map<Socket, number>();
  gateway.server.on('connection', (socket: Socket) => sockets.set(socket, 0));
  async function close(): Promise<void> {
    await gateway.close();
    await emulator.close();
  }
  return {
    emulator,
    gateway,
    url,
    bytesRead: () => [...sockets].reduce((sum, [s, baseline]) => sum + s.bytesRead - baseline, 0),
    openSockets: () => [...sockets.keys()].filter((s) => !s.destroyed).length,
    reset() {
      emulator.reset();
      for (const s of sockets.keys()) {
        if (s.destroyed) sockets.delete(s);
        else sockets.set(s, s.bytesRead);
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** One emulator + gateway for the file, reset before each test. */
export function useGateway(options: Parameters<typeof startGateway>[0] = {}): () => GatewayHarness & { reset(): void } {
  let harness: StartedGateway | undefined;
  beforeAll(async () => {
    harness = await startGateway(options);
  });
  beforeEach(() => harness?.reset());
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('useGateway: not started yet');
    return harness;
  };
}
