import { describe, expect, it } from 'vitest';
import { computeSignature, encodeQuery, signQuery, signatureName, stringToSign } from '../../src/vod/legacy/sign.js';

const TV1_KEY = 'Gu5t9xGARNpq86cd98joQYCN3Cozk1qA';
const TV1_PLAIN =
  'GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=11886&Region=gz&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768&instanceIds.0=ins-09dx96dg&limit=20&offset=0';

const TV2_PARAMS = {
  SecretId: 'secretIdFoo',
  Region: 'ap-guangzhou',
  SignatureMethod: 'HmacSHA1',
  Nonce: '1290303896666895346',
  Timestamp: '1512393162',
  Action: 'DescribeInstances',
  Version: '2017-03-12',
};

const TV5_PARAMS = {
  Action: 'SmallFileUpload',
  Nonce: '11886',
  Region: 'gz',
  SecretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA',
  Timestamp: '1465185768',
  dataSize: '1048576',
  'extra.fileId': '9031868222807461771',
  'extra.usage': '1',
  fileName: 'test',
  fileSha: 'b4a5c70c76e79e01ab3a5c306de3d9eedeadeca9',
  fileSize: '1048576',
  fileType: 'jpg',
};

describe('stringToSign', () => {
  it('builds TV1 plain text from its parameters (sorted, raw values)', () => {
    const params = {
      offset: '0',
      limit: '20',
      'instanceIds.0': 'ins-09dx96dg',
      Timestamp: '1465185768',
      SecretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA',
      Region: 'gz',
      Nonce: '11886',
      Action: 'DescribeInstances',
    };
    expect(stringToSign('get', 'cvm.api.qcloud.com', '/v2/index.php', params)).toBe(TV1_PLAIN);
  });

  it('sorts upper-case names before lower-case ones', () => {
    const plain = stringToSign('POST', 'vod2.qcloud.com', '/v2/index.php', TV5_PARAMS);
    expect(plain).toBe(
      'POSTvod2.qcloud.com/v2/index.php?Action=SmallFileUpload&Nonce=11886&Region=gz&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768&dataSize=1048576&extra.fileId=9031868222807461771&extra.usage=1&fileName=test&fileSha=b4a5c70c76e79e01ab3a5c306de3d9eedeadeca9&fileSize=1048576&fileType=jpg',
    );
  });

  it('leaves out Signature', () => {
    const plain = stringToSign('POST', 'h', '/p', { A: '1', Signature: 'x' });
    expect(plain).toBe('POSTh/p?A=1');
  });
});

describe('signatureName', () => {
  it.each([
    ['extra_usage', 'extra.usage'],
    ['extra.usage', 'extra.usage'],
    ['_private_name', '_private.name'],
    ['a__b', 'a..b'],
    ['Action', 'Action'],
  ])('turns %s into %s', (name, expected) => {
    expect(signatureName(name)).toBe(expected);
  });

  it('signs extra_usage as extra.usage', () => {
    const a = stringToSign('POST', 'h', '/p', { extra_usage: '1' });
    expect(a).toBe(stringToSign('POST', 'h', '/p', { 'extra.usage': '1' }));
  });
});

describe('computeSignature: the test vectors of §2', () => {
  it('TV1 (vendor doc, GET)', () => {
    expect(computeSignature(TV1_PLAIN, TV1_KEY)).toBe('NSI3UqqD99b/UJb4tbG/xZpRW64=');
  });

  it.each([
    ['TV2', 'POST', TV2_PARAMS, 'p3n+pxBqF5JGZtDSxoVn5tGngf0='],
    ['TV3', 'GET', TV2_PARAMS, '5HAq1BOKNLEE2/uauWnp6Zv9Z3c='],
    ['TV4', 'POST', { ...TV2_PARAMS, SignatureMethod: 'HmacSHA256' }, 'B2T37FRSP6Fk0/q/cdfrTE0p3zX5ooB/2BPWZUFpsj4='],
  ])('%s (SDK tests, %s)', (_name, method, params, expected) => {
    const signed = signQuery(params, {
      method,
      host: 'cvm.api.qcloud.com',
      path: '/v2/index.php',
      secretKey: 'secretKeyBar',
    });
    expect(signed['Signature']).toBe(expected);
  });

  it.each([
    ['POST', 'test', 'o1kVj3ecqg5FFNh9lrveCmAR8Rw='],
    ['GET', 'test', 'pLUF1aEFkx1sPItxbrKUzA3v3Ok='],
    ['POST', '封面 1', 'V1LQ1iWu+/7wwLdnOBCng1L5J/E='],
  ])('TV5 (SmallFileUpload, %s, fileName %s)', (method, fileName, expected) => {
    const signed = signQuery(
      { ...TV5_PARAMS, fileName },
      { method, host: 'vod2.qcloud.com', path: '/v2/index.php', secretKey: TV1_KEY },
    );
    expect(signed['Signature']).toBe(expected);
  });
});

describe('encodeQuery', () => {
  it('percent-encodes the signature for the wire (TV1)', () => {
    expect(encodeQuery({ Signature: 'NSI3UqqD99b/UJb4tbG/xZpRW64=' })).toBe(
      'Signature=NSI3UqqD99b%2FUJb4tbG%2FxZpRW64%3D',
    );
  });

  it('encodes a non-ASCII name once, as UTF-8 (TV5)', () => {
    expect(encodeQuery({ fileName: '封面 1' })).toBe('fileName=%E5%B0%81%E9%9D%A2%201');
  });

  it('keeps the dot of extra.usage', () => {
    expect(encodeQuery({ 'extra.usage': '1' })).toBe('extra.usage=1');
  });
});
