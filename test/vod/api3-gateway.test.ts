/**
 * The gateway on API 3.0 (`vodApi: 'v3'`, VOD_API=v3) end to end: Apollo Client uploads through
 * the real gateway to the emulator's ModifyMediaInfo; webp and bmp are refused before VOD; a 3.0
 * error reaches the union with its vodErrorCode; `npm start`'s service runs on it with no credentials.
 */
import { ApolloClient, InMemoryCache } from '@apollo/client';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { images, sha1 } from '../fixtures/images.js';
import { useGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID, resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

const harness = useGateway({ gateway: { vodApi: 'v3' } });

describe('the gateway on API 3.0', () => {
  it("Apollo Client uploads a cover: fileId is the video's, url the CoverUrl, and VOD holds the bytes", async () => {
    const client = new ApolloClient({
      link: new UploadHttpLink({ uri: harness().url, headers: { 'apollo-require-preflight': 'true' } }),
      cache: new InMemoryCache({
        possibleTypes: { UploadVideoCoverResult: ['UploadVideoCoverSuccess', 'UploadVideoCoverError'] },
      }),
    });
    const file = new File([images.png as Uint8Array<ArrayBuffer>], 'cover.png', { type: 'image/png' });
    const { data, error } = await client.mutate({
      mutation: UploadVideoCoverDocument,
      variables: { fileId: VIDEO_FILE_ID, file },
    });
    expect(error).toBeUndefined();
    const [stored] = harness().emulator.covers.list();
    expect(data!.uploadVideoCover).toEqual({
      __typename: 'UploadVideoCoverSuccess',
      fileId: VIDEO_FILE_ID,
      url: stored!.url,
      videoFileId: VIDEO_FILE_ID,
      sha1: sha1(images.png),
      size: images.png.length,
      instant: false,
    });
    expect(sha1(stored!.bytes)).toBe(sha1(images.png));
    expect(harness().emulator.calls.map((c) => c.path)).toEqual(['/']);
  });

  it.each([
    ['webp', images.webp],
    ['bmp', images.bmp],
  ])('refuses a .%s cover with UNSUPPORTED_FILE_TYPE before VOD is called', async (type, bytes) => {
    const result = resultOf(await sendUpload(harness().url, { bytes, filename: `cover.${type}` }));
    expect(result).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'UNSUPPORTED_FILE_TYPE',
      code: -10003,
      canRetry: false,
    });
    expect(harness().emulator.callCount).toBe(0);
  });

  it('says in uploadLimits that it takes jpg, jpeg, png and gif only', async () => {
    const res = await request(harness().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ uploadLimits { fileExtensions } }' }),
    });
    expect(await res.body.json()).toEqual({
      data: { uploadLimits: { fileExtensions: ['jpg', 'jpeg', 'png', 'gif'] } },
    });
  });

  it('gives a 3.0 error as the error member with its vodErrorCode, not retried', async () => {
    harness().emulator.inject({
      kind: 'api3-error',
      code: 'ResourceNotFound.FileNotExist',
      message: 'The media does not exist.',
    });
    const query =
      'mutation ($fileId: ID!, $file: Upload!) { uploadVideoCover(fileId: $fileId, file: $file) { ... on UploadVideoCoverError { code reason canRetry vodErrorCode message } } }';
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables: { fileId: 'gone-video', file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new File([images.gif as Uint8Array<ArrayBuffer>], 'cover.gif'));
    const res = await fetch(harness().url, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(await res.json()).toEqual({
      data: {
        uploadVideoCover: {
          code: -20103,
          reason: 'VOD_REJECTED',
          canRetry: false,
          vodErrorCode: 'ResourceNotFound.FileNotExist',
          message: 'VOD rejected the cover (The media does not exist. / ResourceNotFound.FileNotExist).',
        },
      },
    });
    expect(harness().emulator.callCount).toBe(1);
  });
});

describe('npm start with VOD_API=v3 and no credentials', () => {
  it("runs on the embedded emulator's API 3.0 side and uploads a cover", async () => {
    await using service = await startService({ VOD_API: 'v3', LOG_LEVEL: 'info' });
    expect(service.messages()).toContainEqual(
      expect.stringMatching(
        /^VOD emulator \(no VOD_SECRET_ID\/VOD_SECRET_KEY or TENCENTCLOUD_SECRET_ID\/TENCENTCLOUD_SECRET_KEY set\), API 3\.0 \(ModifyMediaInfo\): http:\/\/127\.0\.0\.1:\d+$/,
      ),
    );
    const result = resultOf(
      await sendUpload(service.url, { bytes: images.jpg, filename: 'cover.jpg', fileId: 'started-video' }),
    );
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess', fileId: 'started-video' });
    const served = await request((result as { url: string }).url);
    expect(sha1(Buffer.from(await served.body.arrayBuffer()))).toBe(sha1(images.jpg));
  });
});
