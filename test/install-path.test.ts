import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { expect, it } from 'vitest';
import { startService } from './helpers/service.js';

const project = fileURLToPath(new URL('..', import.meta.url));

/** A copy of the project's sources (node_modules linked) in a new folder named `name`. */
function copyProject(name: string): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'vod-cover-')), name);
  cpSync(join(project, 'src'), join(folder, 'src'), { recursive: true });
  cpSync(join(project, 'package.json'), join(folder, 'package.json'));
  symlinkSync(join(project, 'node_modules'), join(folder, 'node_modules'));
  return folder;
}

it('serves GraphiQL and its assets from a project folder whose name holds a space', async () => {
  const folder = copyProject('a folder with spaces');
  const service = await startService({}, { cwd: folder });
  try {
    expect(service.exitCode()).toBeUndefined();
    const origin = new URL(service.url).origin;
    for (const asset of ['upload-panel.js', 'graphiql.css']) {
      const res = await request(`${service.url}/graphiql-assets/${asset}`);
      expect(res.statusCode, asset).toBe(200);
      expect((await res.body.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    const health = await request(`${origin}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  } finally {
    await service.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});

it('answers 500 and keeps serving when a GraphiQL asset is missing from the install', async () => {
  const folder = copyProject('broken-install');
  rmSync(join(folder, 'src', 'graphiql', 'upload-panel.js'));
  const service = await startService({}, { cwd: folder });
  try {
    const origin = new URL(service.url).origin;
    const res = await request(`${service.url}/graphiql-assets/upload-panel.js`);
    expect(res.statusCode).toBe(500);
    expect(await res.body.json()).toEqual({ errors: [{ message: 'Unexpected error.' }] });
    const health = await request(`${origin}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    expect(service.exitCode()).toBeUndefined();
  } finally {
    await service.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});
