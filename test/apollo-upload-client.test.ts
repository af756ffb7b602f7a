/**
 * An unmodified third-party client: Apollo Client 4 with apollo-upload-client's UploadHttpLink,
 * sending real multipart requests to the real gateway.
 */
import { ApolloClient, InMemoryCache } from '@apollo/client';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { describe, expect, it } from 'vitest';
import { UploadVideoCoverDocument } from './generated/graphql.js';
import { images, jpegOfSize, sha1 } from './fixtures/images.js';
import { useGateway } from './helpers/gateway.js';
import { VIDEO_FILE_ID } from './helpers/multipart.js';

const harness = useGateway();

function client() {
  return new ApolloClient({
    // apollo-require-preflight is the CSRF header Apollo's own docs tell upload clients to send.
    link: new UploadHttpLink({ uri: harness().url, headers: { 'apollo-require-preflight': 'true' } }),
    // What Apollo asks of every app whose operations select on a union.
    cache: new InMemoryCache({
      possibleTypes: { UploadVideoCoverResult: ['UploadVideoCoverSuccess', 'UploadVideoCoverError'] },
    }),
  });
}

async function uploadWithApollo(bytes: Buffer, name: string, fileId = VIDEO_FILE_ID) {
  const file = new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'image/jpeg' });
  const { data, error } = await client().mutate({ mutation: UploadVideoCoverDocument, variables: { fileId, file } });
  expect(error).toBeUndefined();
  return data!.uploadVideoCover;
}

describe('Apollo Client + apollo-upload-client', () => {
  it('gets the success member for a valid JPEG', async () => {
    const result = await uploadWithApollo(images.jpg, 'cover.jpg');
    const [stored] = harness().emulator.covers.list();
    expect(result).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      fileId: stored!.fileId,
      url: stored!.url,
      videoFileId: VIDEO_FILE_ID,
      sha1: sha1(images.jpg),
      size: images.jpg.length,
      instant: false,
    });
    expect(stored!.bytes.equals(images.jpg)).toBe(true);
  });

  it.each<[string, string, Buffer, string, string?]>([
    ['INVALID_FILE_ID', 'a bad fileId', images.jpg, 'cover.jpg', 'no/slashes'],
    ['INVALID_FILE_NAME', 'a name with a colon', images.jpg, 'a:b.jpg'],
    ['UNSUPPORTED_FILE_TYPE', 'a .txt', Buffer.from('text'), 'notes.txt'],
    ['CONTENT_MISMATCH', 'a PNG named .jpg', images.png, 'cover.jpg'],
    ['EMPTY_FILE', 'an empty file', Buffer.alloc(0), 'cover.jpg'],
    ['FILE_TOO_LARGE', 'a 2 MiB file', jpegOfSize(2 * 1024 * 1024), 'cover.jpg'],
  ])('gets the error member %s for %s', async (reason, _name, bytes, filename, fileId) => {
    const result = await uploadWithApollo(bytes, filename, fileId);
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverError', reason, canRetry: false });
    expect(harness().emulator.callCount).toBe(0);
  });
});
