import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startVodEmulator, type VodEmulator, type VodEmulatorOptions } from '../../src/emulator/server.js';

/**
 * Starts one emulator for the file (port 0), resets its calls, covers and faults before each test,
 * and closes it after the file. Returns a getter, valid inside tests.
 */
export function useEmulator(options: VodEmulatorOptions = {}): () => VodEmulator {
  let emulator: VodEmulator | undefined;
  beforeAll(async () => {
    // Their subject is not the rate (test/emulator/emulator-rate.test.ts is): no limit unless asked.
    emulator = await startVodEmulator({ rateLimit: false, ...options });
  });
  beforeEach(() => emulator?.reset());
  afterAll(async () => {
    await emulator?.close();
  });
  return () => {
    if (!emulator) throw new Error('useEmulator: the emulator is not started yet');
    return emulator;
  };
}
