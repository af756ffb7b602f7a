/** The gateway under test: the real createGateway with production settings. */
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { serveStats } from './child.js';

const gateway = createGateway({ vod: { ...DEV_CREDENTIAL, baseUrl: process.env['VOD_BASE_URL']! } });
const url = await gateway.listen(0, '127.0.0.1');
serveStats(gateway.server, url);
