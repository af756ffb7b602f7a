/** The upstream of every benchmark run: the project's VOD emulator, in its own process. */
import { startVodEmulator } from '../../src/emulator/server.js';

const emulator = await startVodEmulator();
process.send?.({ type: 'ready', url: emulator.url });
process.on('message', (message: unknown) => message === 'exit' && process.exit(0));
