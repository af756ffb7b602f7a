/** The upstream of every benchmark run: the project's VOD emulator, in its own process. */
import { startVodEmulator } from '../../src/emulator/server.js';

// The benchmark measures the gateway, not VOD's rate: the upstream answers every call.
const emulator = await startVodEmulator({ rateLimit: false });
process.send?.({ type: 'ready', url: emulator.url });
process.on('message', (message: unknown) => message === 'exit' && process.exit(0));
