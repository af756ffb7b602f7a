/**
 * TC3-HMAC-SHA256 against the worked example of the vendor's "Signature v3" document (CVM
 * DescribeInstances, 2019-02-25): the canonical request's hash and the signature it publishes.
 */
import { describe, expect, it } from 'vitest';
import {
  tc3Authorization,
  tc3CanonicalRequest,
  tc3Signature,
  tc3StringToSign,
  type Tc3Request,
} from '../../src/vod/api3/sign.js';
import { createHash } from 'node:crypto';

const EXAMPLE: Tc3Request = {
  host: 'cvm.tencentcloudapi.com',
  contentType: 'application/json; charset=utf-8',
  payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  timestamp: 1551113065,
  service: 'cvm',
};
const SECRET_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';

describe("TC3-HMAC-SHA256, the vendor's worked example", () => {
  it('hashes the payload to the published HashedRequestPayload', () => {
    expect(createHash('sha256').update(EXAMPLE.payload).digest('hex')).toBe(
      '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
  });

  it('builds the published canonical request and string to sign', () => {
    expect(tc3CanonicalRequest(EXAMPLE)).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
    expect(tc3StringToSign(EXAMPLE)).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
  });

  it('gives the published signature and Authorization header', () => {
    expect(tc3Signature(SECRET_KEY, EXAMPLE)).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(tc3Authorization('AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', SECRET_KEY, EXAMPLE)).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });
});
