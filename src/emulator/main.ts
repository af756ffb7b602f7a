/**
 * `npm run emulator`: the VOD emulator alone, on 127.0.0.1.
 * EMULATOR_PORT picks the port (else a free one); VOD_SECRET_ID / VOD_SECRET_KEY set the accepted
 * credential pair (else DEV_CREDENTIAL). Prints its base URL on one line.
 */
import { DEV_CREDENTIAL, startVodEmulator } from './server.js';

const port = Number(process.env['EMULATOR_PORT'] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`EMULATOR_PORT must be a port number, got ${JSON.stringify(process.env['EMULATOR_PORT'])}`);
  process.exit(1);
}
const secretId = process.env['VOD_SECRET_ID'];
const secretKey = process.env['VOD_SECRET_KEY'];
if ((secretId === undefined) !== (secretKey === undefined)) {
  console.error('VOD_SECRET_ID and VOD_SECRET_KEY must be set together');
  process.exit(1);
}
const credentials = secretId && secretKey ? [{ secretId, secretKey }] : [DEV_CREDENTIAL];

const emulator = await startVodEmulator({ port, credentials });
console.log(emulator.url);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void emulator.close().then(() => process.exit(0)));
}
