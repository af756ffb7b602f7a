import { describe, expect, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { postGraphql as graphql } from '../helpers/graphql.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { useGateway } from '../helpers/gateway.js';
import { uploadsStillWork } from '../helpers/still-serving.js';

const harness = useGateway();

describe('a VOD answer that is not a valid success is VOD_BAD_RESPONSE, and nothing is recorded', () => {
  it.each([
    ['a fileId of 1e400', '{"code":0,"fileId":1e400,"url":"http://x.vod2.myqcloud.com/a.jpg"}'],
    ['a fractional fileId', '{"code":0,"fileId":52858907812345.75,"url":"http://x.vod2.myqcloud.com/a.jpg"}'],
    ['a fileId of true', '{"code":0,"fileId":true,"url":"http://x.vod2.myqcloud.com/a.jpg"}'],
    ['a negative fileId', '{"code":0,"fileId":-5,"url":"http://x.vod2.myqcloud.com/a.jpg"}'],
    [
      'only a nested fileId',
      '{"code":0,"data":{"fileId":123456789012345678},"url":"http://x.vod2.myqcloud.com/a.jpg"}',
    ],
    ['a javascript: url', '{"code":0,"fileId":"123456789012345678","url":"javascript:alert(1)"}'],
  ])('refuses %s', async (_name, body) => {
    const fileId = `bad-answer-${Math.random().toString(36).slice(2)}`;
    harness().emulator.inject({ kind: 'body', body }, 5);
    const result = resultOf(await sendUpload(harness().url, { fileId, bytes: images.jpg, filename: 'cover.jpg' }));
    expect(result).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'VOD_UNAVAILABLE',
      code: -20004,
      canRetry: true,
    });
    expect(
      (await graphql(harness().url, 'query ($id: ID!) { videoCover(fileId: $id) { url } }', { id: fileId })).body,
    ).toEqual({ data: { videoCover: null } });
    harness().emulator.reset();
    await uploadsStillWork(harness());
  });

  it('keeps an integer fileId above 2^53 digit for digit', async () => {
    harness().emulator.inject({
      kind: 'body',
      body: '{"code":0,"fileId":11868222811305801999,"url":"http://x.vod2.myqcloud.com/a.jpg"}',
    });
    const result = resultOf(await sendUpload(harness().url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(result).toMatchObject({ __typename: 'UploadVideoCoverSuccess', fileId: '11868222811305801999' });
  });

  it("strips the Signature and Token of a request URL that VOD's message echoes", async () => {
    const echoed =
      'bad request: http://vod2.qcloud.com/v2/index.php?Action=SmallFileUpload&Signature=o1kVj3ecqg5FFNh9lrveCmAR8Rw%3D&Token=tmp-token-1234&Nonce=1';
    harness().emulator.inject({ kind: 'answer', code: -10003, canRetry: 0, message: echoed });
    const result = resultOf(await sendUpload(harness().url, { bytes: images.jpg, filename: 'cover.jpg' }));
    expect(result).toMatchObject({
      __typename: 'UploadVideoCoverError',
      message:
        'VOD rejected the cover (bad request: http://vod2.qcloud.com/v2/index.php?Action=SmallFileUpload&Signature=[redacted]&Token=[redacted]&Nonce=1 / ProtocolParamsError).',
    });
  });
});
