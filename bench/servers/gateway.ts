/**
 * The gateway under test, as `NODE_ENV=production npm start` builds it: its configuration read
 * from the environment by the service's own loadConfig (VOD_SECRET_ID/VOD_SECRET_KEY/VOD_BASE_URL
 * pointing at the bench's emulator; DATA_DIR for the SQLite ledger, or DATABASE_URL for
 * PostgreSQL; AUTH_JWT_SECRET for the authentication row), every feature on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayOptionsOf, loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/gateway.js';
import { openPostgresCoverStore } from '../../src/ledger/postgres-cover-store.js';
import { serveStats } from './child.js';

const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'vod-cover-bench-')), ...process.env });
if (config.vod.kind !== 'remote') throw new Error('bench gateway: VOD_SECRET_ID and VOD_SECRET_KEY must be set');
const { kind: _kind, api: _api, ...vod } = config.vod;
const gateway = createGateway({
  ...gatewayOptionsOf(config),
  vod: { ...vod, ...config.vodClient },
  ledger: config.database ? await openPostgresCoverStore(config.database) : join(config.dataDir, 'covers.sqlite'),
});
const url = await gateway.listen(0, '127.0.0.1');
serveStats(gateway.server, url);
