import { readFileSync } from 'node:fs';
import { createYoga } from 'graphql-yoga';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { getSchema, printGatewaySchema } from '../../src/schema/index.js';
import { createCoverLoader } from '../../src/ledger/cover-loader.js';
import { openSqliteCoverStore } from '../../src/ledger/sqlite-cover-store.js';
import { createCoverUploader } from '../../src/upload/upload-cover.js';
import type { GatewayContext } from '../../src/schema/context.js';
import { DEV_CREDENTIAL } from '../../src/emulator/server.js';
import { createLegacyVodClient } from '../../src/vod/legacy/client.js';
import { UploadLimitsDocument, UploadVideoCoverDocument } from '../generated/graphql.js';
import { images, sha1 } from '../fixtures/images.js';
import { uploadForm } from '../helpers/multipart.js';
import { useEmulator } from '../helpers/emulator.js';

describe('schema.graphql', () => {
  it('is the schema printed from the Pothos builder (run `npm run schema:print` after a change)', () => {
    expect(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8')).toBe(printGatewaySchema());
  });

  it('describes every type and field of ours (GraphiQL shows these)', () => {
    const schema = getSchema();
    // Built-ins, and what the federation spec adds (_service, _entities, _Any, link__Import, …).
    const theirs = (name: string) =>
      name.startsWith('_') || name.includes('__') || ['String', 'Boolean', 'Int', 'ID', 'Float'].includes(name);
    for (const type of Object.values(schema.getTypeMap())) {
      if (theirs(type.name)) continue;
      expect(type.description, type.name).toBeTruthy();
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (!theirs(field.name)) expect(field.description, `${type.name}.${field.name}`).toBeTruthy();
        }
      }
    }
  });
});

describe("the schema under yoga.fetch, with Yoga's own multipart parser (WHATWG File)", () => {
  const emulator = useEmulator();

  function yoga() {
    const vod = createLegacyVodClient({ ...DEV_CREDENTIAL, baseUrl: emulator().url });
    const ledger = openSqliteCoverStore(':memory:');
    return createYoga<Record<string, unknown>, GatewayContext>({
      schema: getSchema(),
      context: () => ({ covers: createCoverUploader({ vod, ledger }), coverLoader: createCoverLoader(ledger) }),
      logging: false,
    });
  }

  it('uploads a File', async () => {
    const form = uploadForm({ bytes: images.png, filename: 'cover.png', fileId: 'v1', type: 'image/png' });
    const res = await yoga().fetch('http://yoga/graphql', { method: 'POST', body: form });
    const body = (await res.json()) as { data: { uploadVideoCover: Record<string, unknown> } };
    expect(body.data.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      sha1: sha1(images.png),
      size: images.png.length,
    });
    expect(emulator().covers.list()[0]!.bytes.equals(images.png)).toBe(true);
  });

  it('refuses a File whose bytes disagree with its name', async () => {
    const form = uploadForm({ bytes: images.png, filename: 'cover.gif', fileId: 'v1' });
    const res = await yoga().fetch('http://yoga/graphql', { method: 'POST', body: form });
    const body = (await res.json()) as { data: { uploadVideoCover: Record<string, unknown> } };
    expect(body.data.uploadVideoCover).toMatchObject({ reason: 'CONTENT_MISMATCH', code: -10003 });
    expect(emulator().callCount).toBe(0);
  });

  it('answers uploadLimits', async () => {
    const res = await yoga().fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(UploadLimitsDocument) }),
    });
    expect(await res.json()).toEqual({
      data: {
        uploadLimits: {
          maxFileSize: 1048576,
          maxFileNameLength: 40,
          fileExtensions: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp'],
        },
      },
    });
  });

  it('refuses an Upload variable that is not a file', async () => {
    const res = await yoga().fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(UploadVideoCoverDocument), variables: { fileId: 'v1', file: 'not a file' } }),
    });
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/Upload variables take a file part/);
  });
});
