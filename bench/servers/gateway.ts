/** The gateway under test: the real createGateway with production settings (a ledger on disk). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { serveStats } from './child.js';

const ledger = join(mkdtempSync(join(tmpdir(), 'vod-cover-bench-')), 'covers.sqlite');
const gateway = createGateway({ vod: { ...DEV_CREDENTIAL, baseUrl: process.env['VOD_BASE_URL']! }, ledger });
const url = await gateway.listen(0, '127.0.0.1');
serveStats(gateway.server, url);
