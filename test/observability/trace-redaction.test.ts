/**
 * What a trace may hold of a signed VOD request, as pure functions: the query with its SecretId,
 * Signature and Token values replaced and every other byte as sent, and the client span's URL
 * attributes built from it. test/observability/tracing.test.ts proves the same through a real OTLP receiver.
 */
import { describe, expect, it } from 'vitest';
import { redactedUrlAttributes } from '../../src/observability/tracing.js';
import { redactQuery } from '../../src/vod/redact.js';

const SIGNED =
  '?Action=SmallFileUpload&Region=gz&Timestamp=1796533391&Nonce=1575592374227&SecretId=AKIDvodEmulatorDevelopmentOnly0000' +
  '&SignatureMethod=HmacSHA1&Token=stsToken0123&fileName=cover&extra.fileId=9031868222807461771&Signature=QDbCphZJbtVSPKbNobrUfjwoyyE%3D';

const SIGNED_REDACTED =
  '?Action=SmallFileUpload&Region=gz&Timestamp=1796533391&Nonce=1575592374227&SecretId=REDACTED' +
  '&SignatureMethod=HmacSHA1&Token=REDACTED&fileName=cover&extra.fileId=9031868222807461771&Signature=REDACTED';

describe('redactQuery', () => {
  it('replaces the SecretId, Signature and Token of a signed legacy query, and nothing else', () => {
    expect(redactQuery(SIGNED, 'REDACTED')).toBe(SIGNED_REDACTED);
  });

  it("uses the house's [redacted] unless told otherwise", () => {
    expect(redactQuery('Signature=abc&x=1')).toBe('Signature=[redacted]&x=1');
  });

  it.each([
    ['a name in another case', '?signature=abc&TOKEN=t&secretid=s', '?signature=R&TOKEN=R&secretid=R'],
    ['a percent-encoded name', '?Sign%61ture=abc&%54oken=t', '?Sign%61ture=R&%54oken=R'],
    ['a query without its "?"', 'a=1&Token=t', 'a=1&Token=R'],
    ['an empty value', '?Token=&a=1', '?Token=R&a=1'],
    ['a value holding "=" ', '?Token=a=b=c&a=1', '?Token=R&a=1'],
    ['a repeated name', '?Signature=a&Signature=b', '?Signature=R&Signature=R'],
    ['a name with spaces around it', '?%20Token=t&Signature+=s', '?%20Token=R&Signature+=R'],
  ])('redacts %s', (_case, query, expected) => {
    expect(redactQuery(query, 'R')).toBe(expected);
  });

  it.each([
    ['an empty query', '', ''],
    ['a lone "?"', '?', '?'],
    ['a name without a value', '?Signature&a=1', '?Signature&a=1'],
    [
      'a name that only starts like one',
      '?SignatureMethod=HmacSHA1&SecretIdx=1&Tokens=2',
      '?SignatureMethod=HmacSHA1&SecretIdx=1&Tokens=2',
    ],
    // A client's file name is percent-encoded: it cannot pose as a pair of its own.
    ['a file name that reads like pairs', '?fileName=Signature%3Dx%26Token%3Dy', '?fileName=Signature%3Dx%26Token%3Dy'],
    ['a malformed escape in a name', '?%E0%A4%A=1&%=2', '?%E0%A4%A=1&%=2'],
  ])('leaves %s as it is', (_case, query, expected) => {
    expect(redactQuery(query, 'R')).toBe(expected);
  });

  it('reads a long query in linear time (50,000 pairs well under a second of CPU)', () => {
    const query = `?${Array.from({ length: 50_000 }, (_, i) => (i % 2 ? `Token=${i}` : `a${i}=${'v'.repeat(20)}`)).join('&')}`;
    const before = process.cpuUsage();
    const redacted = redactQuery(query, 'R');
    const { user, system } = process.cpuUsage(before);
    expect(redacted.match(/Token=R/g)).toHaveLength(25_000);
    expect((user + system) / 1000).toBeLessThan(1000);
  });
});

describe('redactedUrlAttributes (the undici instrumentation startSpanHook)', () => {
  it("gives url.full and url.query of a legacy request with OpenTelemetry's REDACTED", () => {
    expect(redactedUrlAttributes({ origin: 'https://vod2.qcloud.com', path: `/v2/index.php${SIGNED}` })).toEqual({
      'url.full': `https://vod2.qcloud.com/v2/index.php${SIGNED_REDACTED}`,
      'url.query': SIGNED_REDACTED,
    });
  });

  it('gives an API 3.0 request (signed in headers, no query) as it is', () => {
    expect(redactedUrlAttributes({ origin: 'https://vod.tencentcloudapi.com', path: '/' })).toEqual({
      'url.full': 'https://vod.tencentcloudapi.com/',
      'url.query': '',
    });
  });

  it('drops a user:password@ from url.full and keeps the port', () => {
    expect(redactedUrlAttributes({ origin: 'http://u:p@127.0.0.1:8080', path: '/?Token=t' })).toEqual({
      'url.full': 'http://127.0.0.1:8080/?Token=REDACTED',
      'url.query': '?Token=REDACTED',
    });
  });

  it('reads an absolute-form path (a request through an HTTP proxy) as undici does', () => {
    expect(
      redactedUrlAttributes({ origin: 'http://proxy:3128', path: 'http://vod2.qcloud.com/v2/index.php?Signature=s' }),
    ).toEqual({
      'url.full': 'http://vod2.qcloud.com/v2/index.php?Signature=REDACTED',
      'url.query': '?Signature=REDACTED',
    });
  });

  it('gives nothing for a URL it cannot read (undici makes no span of one)', () => {
    expect(redactedUrlAttributes({ origin: 'not a url', path: 'nor this' })).toEqual({});
  });
});
