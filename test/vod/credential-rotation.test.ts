/**
 * Rotating VOD credentials, with the emulator made to accept the new pair and refuse the old:
 * a provider (`vod: { credentials }`) is asked again before its credentials expire, and at once
 * when VOD refuses a signature (then the upload is tried once more); mounted secret files
 * (VOD_SECRET_ID_FILE, …) are read again when Kubernetes swaps their `..data` symlink. Uploads
 * during a rotation neither fail nor double.
 */
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_CREDENTIAL, startVodEmulator } from '../../src/emulator/server.js';
import { createGateway } from '../../src/gateway.js';
import { createApi3VodClient } from '../../src/vod/api3/client.js';
import { createCredentialSource, fileCredentials } from '../../src/vod/credentials.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';
import { imageVariant, images, sha1 } from '../fixtures/images.js';
import { TEST_VOD_OPTIONS } from '../helpers/gateway.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

const OLD = DEV_CREDENTIAL;
const NEW = { secretId: 'AKIDrotatedKey000000000000000000001', secretKey: 'rotatedSecretKey00000000000000001' };

describe('a credential source', () => {
  it('asks its provider again 5 minutes before expiresAt, and not before', async () => {
    let clock = 0;
    let calls = 0;
    const source = createCredentialSource(
      () => {
        calls++;
        return { ...OLD, expiresAt: 1_000_000 };
      },
      { now: () => clock },
    );
    await source.current();
    clock = 699_999;
    await source.current();
    expect(calls).toBe(1);
    clock = 700_000;
    await source.current();
    expect(calls).toBe(2);
  });

  it('keeps still-valid credentials when the provider fails, and fails once they have expired', async () => {
    let clock = 0;
    let failing = false;
    const source = createCredentialSource(
      () => {
        if (failing) throw new Error('vault unreachable');
        return { ...OLD, expiresAt: 400_000 };
      },
      { now: () => clock },
    );
    await source.current();
    failing = true;
    clock = 200_000;
    expect(await source.current()).toEqual(OLD);
    clock = 400_001;
    await expect(source.current()).rejects.toMatchObject({
      code: 'VOD_CREDENTIALS',
      canRetry: true,
      message: 'VOD credentials could not be read: vault unreachable',
    });
  });
});

describe.each(['legacy', 'v3'] as const)('a rotation on the %s API', (vodApi) => {
  it('re-reads the credentials after a refused signature and uploads with the new pair, once', async () => {
    await using emulator = await startVodEmulator({ credentials: [OLD] });
    let served = OLD;
    let asked = 0;
    await using gateway = createGateway({
      vodApi,
      vod: {
        baseUrl: emulator.url,
        ...TEST_VOD_OPTIONS,
        credentials: () => {
          asked++;
          return served;
        },
      },
      logger: false,
      logging: false,
    });
    const url = await gateway.listen(0, '127.0.0.1');
    expect(
      resultOf(await sendUpload(url, { bytes: images.jpg, filename: 'a.jpg', fileId: 'v-before' })).__typename,
    ).toBe('UploadVideoCoverSuccess');
    // The vendor rotates: the old pair stops working, the new one is what the provider gives.
    emulator.setCredentials([NEW]);
    served = NEW;
    emulator.reset();
    const after = resultOf(await sendUpload(url, { bytes: images.png, filename: 'b.png', fileId: 'v-after' }));
    expect(after.__typename).toBe('UploadVideoCoverSuccess');
    // One refused attempt (the old pair), one that stored the cover (the new one).
    expect(emulator.calls.map((c) => c.why ?? 'stored')).toEqual([
      expect.stringMatching(/signature|SecretId/i),
      'stored',
    ]);
    expect(emulator.covers.list()).toHaveLength(1);
    expect(asked).toBe(2);
  });

  it("counts the refused attempt before the rotation in the answer's attempts", async () => {
    await using emulator = await startVodEmulator({ credentials: [NEW] });
    const pairs = [OLD, NEW];
    const options = { baseUrl: emulator.url, ...TEST_VOD_OPTIONS, credentials: () => pairs.shift() ?? NEW };
    await using client = vodApi === 'v3' ? createApi3VodClient(options) : createLegacyVodClient(options);
    const result = await client.setCover({
      videoFileId: 'v-count',
      fileName: 'cover',
      fileType: 'png',
      body: images.png,
      sha1: sha1(images.png),
      size: images.png.length,
    });
    expect({ ok: result.ok, attempts: result.attempts, calls: emulator.calls.length }).toEqual({
      ok: true,
      attempts: 2,
      calls: 2,
    });
  });
});

describe('uploads during a rotation', () => {
  it('all succeed, each stored once', async () => {
    await using emulator = await startVodEmulator({ credentials: [OLD] });
    let served = OLD;
    await using gateway = createGateway({
      vod: { baseUrl: emulator.url, ...TEST_VOD_OPTIONS, credentials: () => served },
      logger: false,
      logging: false,
    });
    const url = await gateway.listen(0, '127.0.0.1');
    const uploads = Array.from({ length: 20 }, (_, i) =>
      sendUpload(url, { bytes: imageVariant(images.jpg, i), filename: 'c.jpg', fileId: `v-${i}` }).then(resultOf),
    );
    setTimeout(() => {
      emulator.setCredentials([NEW]);
      served = NEW;
    }, 5);
    const results = await Promise.all(uploads);
    expect(results.map((r) => r.__typename)).toEqual(results.map(() => 'UploadVideoCoverSuccess'));
    expect(emulator.covers.list()).toHaveLength(20);
    expect(emulator.calls.filter((c) => c.code === 0)).toHaveLength(20);
  });
});

/** A Kubernetes secret volume: files are symlinks into `..data`, itself a symlink to a timestamped folder. */
function secretVolume(pair: { secretId: string; secretKey: string }) {
  const volume = mkdtempSync(join(tmpdir(), 'vod-cover-secret-'));
  let version = 0;
  const write = (p: typeof pair) => {
    const folder = join(volume, `..2026_12_01_${version++}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'secret-id'), `${p.secretId}\n`);
    writeFileSync(join(folder, 'secret-key'), `${p.secretKey}\n`);
    // As the kubelet does: a new symlink, renamed over ..data in one step.
    symlinkSync(folder.slice(volume.length + 1), join(volume, '..data_tmp'));
    renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
  };
  write(pair);
  symlinkSync('..data/secret-id', join(volume, 'secret-id'));
  symlinkSync('..data/secret-key', join(volume, 'secret-key'));
  return { secretIdFile: join(volume, 'secret-id'), secretKeyFile: join(volume, 'secret-key'), rotate: write };
}

describe('mounted secret files', () => {
  it('are read again when Kubernetes swaps ..data: the next upload signs with the new pair', async () => {
    await using emulator = await startVodEmulator({ credentials: [OLD] });
    const volume = secretVolume(OLD);
    await using gateway = createGateway({
      vod: { baseUrl: emulator.url, ...TEST_VOD_OPTIONS, credentials: fileCredentials(volume) },
      logger: false,
      logging: false,
    });
    const url = await gateway.listen(0, '127.0.0.1');
    expect(resultOf(await sendUpload(url, { bytes: images.jpg, filename: 'a.jpg' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    volume.rotate(NEW);
    emulator.setCredentials([NEW]);
    expect(resultOf(await sendUpload(url, { bytes: images.png, filename: 'b.png' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
  });

  it('the service reads VOD_SECRET_ID_FILE and VOD_SECRET_KEY_FILE again after a rotation', async () => {
    await using emulator = await startVodEmulator({ credentials: [OLD] });
    const volume = secretVolume(OLD);
    await using service = await startService({
      VOD_SECRET_ID_FILE: volume.secretIdFile,
      VOD_SECRET_KEY_FILE: volume.secretKeyFile,
      VOD_BASE_URL: emulator.url,
    });
    expect(resultOf(await sendUpload(service.url, { bytes: images.jpg, filename: 'a.jpg' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
    volume.rotate(NEW);
    emulator.setCredentials([NEW]);
    expect(resultOf(await sendUpload(service.url, { bytes: images.png, filename: 'b.png' })).__typename).toBe(
      'UploadVideoCoverSuccess',
    );
  });
});
