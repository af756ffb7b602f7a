/** The gateway on the PostgreSQL ledger replicas share (DATABASE_URL: a database the bench made). */
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { openPostgresCoverStore } from '../../src/ledger/postgres-cover-store.js';
import { serveStats } from './child.js';

const ledger = await openPostgresCoverStore({ connectionString: process.env['DATABASE_URL']! });
const gateway = createGateway({ vod: { ...DEV_CREDENTIAL, baseUrl: process.env['VOD_BASE_URL']! }, ledger });
const url = await gateway.listen(0, '127.0.0.1');
serveStats(gateway.server, url);
