/**
 * The README's client recipes, as written there, against the real gateway: urql (its fetch
 * exchange sends a GraphQL multipart request when a variable holds a File) and plain fetch with
 * FormData.
 */
import { Client, fetchExchange, gql } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { images, sha1 } from './fixtures/images.js';
import { useGateway } from './helpers/gateway.js';

const harness = useGateway();

const UPLOAD = `mutation ($fileId: ID!, $file: Upload!) {
  uploadVideoCover(fileId: $fileId, file: $file) {
    __typename
    ... on UploadVideoCoverSuccess { url sha1 size }
    ... on UploadVideoCoverError { code reason message canRetry }
  }
}`;

describe('client recipes', () => {
  it('urql uploads a File with its fetch exchange and the CSRF header', async () => {
    // The recipe:
    const client = new Client({
      url: harness().url,
      exchanges: [fetchExchange],
      fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } },
    });
    const file = new File([images.jpg as Uint8Array<ArrayBuffer>], 'cover.jpg', { type: 'image/jpeg' });
    const result = await client.mutation(gql(UPLOAD), { fileId: '9031868222807461771', file }).toPromise();
    // What it gives:
    expect(result.error).toBeUndefined();
    const [stored] = harness().emulator.covers.list();
    expect(result.data.uploadVideoCover).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      url: stored!.url,
      sha1: sha1(images.jpg),
      size: images.jpg.length,
    });
  });

  it('fetch + FormData uploads a file: operations, then map, then the file part', async () => {
    const file = new File([images.png as Uint8Array<ArrayBuffer>], 'cover.png', { type: 'image/png' });
    // The recipe:
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: UPLOAD, variables: { fileId: '9031868222807461771', file: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', file);
    const res = await fetch(harness().url, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
    const { data } = await res.json();
    // What it gives:
    expect(data.uploadVideoCover).toMatchObject({ __typename: 'UploadVideoCoverSuccess', size: images.png.length });
  });
});
