/**
 * The cover ledger never loses a record silently: a deleted DATA_DIR, a full disk, a DATA_DIR
 * that cannot be created.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { openSqliteCoverStore } from '../../src/ledger/sqlite-cover-store.js';
import { startGateway } from '../helpers/gateway.js';
import { startService } from '../helpers/service.js';
import { readiness as ready, uploadsStillWork } from '../helpers/still-serving.js';

describe('the cover ledger never loses a record silently', () => {
  it('turns /ready 503 when DATA_DIR is deleted, keeps the covers readable, and says so in a metric', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vod-cover-ledger-'));
    await using ledger = await startGateway({
      gateway: { ledger: join(dataDir, 'covers.sqlite'), ledgerRetryDelayMs: 60_000 },
    });
    await uploadsStillWork(ledger);
    expect(await ready(ledger.url)).toMatchObject({ status: 200, checks: { ledger: true } });
    rmSync(dataDir, { recursive: true, force: true });
    expect(await ready(ledger.url)).toMatchObject({ status: 503, checks: { ledger: false } });
    // The upload succeeds (VOD has the cover); its record is held, not written to the orphaned file.
    await uploadsStillWork(ledger);
    // A second record queues behind the first, without a write of its own: held, not a second failure.
    await uploadsStillWork(ledger);
    const metrics = await (await request(new URL('/metrics', ledger.url))).body.text();
    expect(metrics).toContain('vod_cover_ledger_write_failures_total 1\n');
    expect(metrics).toContain('vod_cover_ledger_pending_records 2\n');
  });

  it('holds records while the disk is full, writes them when space returns, and /ready follows', async () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'vod-cover-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      // Not root, or no mount in this sandbox: the deletion case above still covers the queue.
      console.warn('ledger disk-full test skipped: cannot mount a small tmpfs here');
      return;
    }
    const file = join(mountPoint, 'covers.sqlite');
    const ledger = await startGateway({ gateway: { ledger: file, ledgerRetryDelayMs: 50 } });
    try {
      await uploadsStillWork(ledger, 'before-full');
      // Fill the disk to the last byte.
      const filler = join(mountPoint, 'filler');
      try {
        writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
      } catch {
        // ENOSPC: the filler took what was left.
      }
      const ids = Array.from({ length: 20 }, (_, i) => `while-full-${i}`);
      for (const id of ids) await uploadsStillWork(ledger, id);
      expect(await ready(ledger.url)).toMatchObject({ status: 503, checks: { ledger: false } });
      rmSync(filler);
      for (let i = 0; i < 100 && (await ready(ledger.url)).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(await ready(ledger.url)).toMatchObject({ status: 200, checks: { ledger: true } });
      await ledger.close();
      // A restart reads every record from the file.
      const reopened = openSqliteCoverStore(file);
      expect([...(await reopened.latestCovers(['before-full', ...ids])).keys()].sort()).toEqual(
        ['before-full', ...ids].sort(),
      );
      reopened.close();
    } finally {
      await ledger.close().catch(() => undefined);
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it('refuses to start with one line naming DATA_DIR, and exit code 1, when DATA_DIR cannot be created', async () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'vod-cover-datadir-')), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const service = await startService({ DATA_DIR: join(blocker, 'data') });
    expect(await service.exited).toBe(1);
    const lines = service.messages().filter((line) => !line.startsWith('VOD emulator'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Configuration error: DATA_DIR: the cover ledger .*covers\.sqlite cannot be created or opened \(ENOTDIR/,
    );
  });

  it.each([
    [
      'PORT',
      (port: number) => ({ PORT: String(port) }),
      (port: number) => `Configuration error: PORT (HOST 127.0.0.1): port ${port} is already in use (EADDRINUSE)`,
    ],
    [
      'EMULATOR_PORT',
      (port: number) => ({ EMULATOR_PORT: String(port) }),
      (port: number) => `Configuration error: EMULATOR_PORT: port ${port} is already in use (EADDRINUSE)`,
    ],
  ])('refuses to start with one line naming %s, and exit code 1, when its port is taken', async (_name, env, line) => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const service = await startService(env(port));
      expect(await service.exited).toBe(1);
      const lines = service.messages().filter((l) => !l.startsWith('VOD emulator') && !l.startsWith('Cover ledger'));
      expect(lines).toEqual([line(port)]);
    } finally {
      taken.close();
    }
  });
});
