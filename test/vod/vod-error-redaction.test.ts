/**
 * VOD's error text reaches the client (the error member's message) without the secrets of the
 * request it answers, whichever API: a VOD that quotes its request back (the signed URL, the
 * Authorization header, the token header, a JSON dump) has each secret shown as [redacted].
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { images } from '../fixtures/images.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';

const TOKEN = 'tmp-sts-token-3f9a7c1e5b2d4f60a8c9';
const CREDENTIAL = {
  secretId: 'AKIDredactionTest000000000000000',
  secretKey: 'redaction-test-secret-key-0000',
  token: TOKEN,
};

/** What the echoing VOD said, with the request's secrets marked so the expected text can be built. */
interface Echo {
  said: string;
  secrets: string[];
}

/** A VOD that refuses every call and quotes the request it got, secrets included. */
async function echoingVod(api: 'legacy' | 'v3'): Promise<{ url: string; echoes: Echo[]; server: Server }> {
  const echoes: Echo[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      if (api === 'v3') {
        const authorization = String(req.headers['authorization']);
        const signature = /Signature=([0-9a-f]{64})$/.exec(authorization)![1]!;
        const said = `bad request: Authorization: ${authorization}; X-TC-Token: ${String(req.headers['x-tc-token'])}; params {"Token":"${TOKEN}"}`;
        echoes.push({ said, secrets: [signature, TOKEN] });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Response: { Error: { Code: 'InvalidParameter', Message: said }, RequestId: 'r-1' } }));
      } else {
        const query = new URL(req.url!, 'http://x').searchParams;
        const said = `bad request: http://vod2.qcloud.com${req.url}; Token: ${query.get('Token')}; params {"Token":"${TOKEN}","Signature":"${query.get('Signature')}"}`;
        echoes.push({ said, secrets: [encodeURIComponent(query.get('Signature')!), query.get('Signature')!, TOKEN] });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: -10003, canRetry: 0, message: said, codeDesc: 'ProtocolParamsError' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, echoes, server };
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

describe.each([
  ['legacy', -10003, 'ProtocolParamsError'],
  ['v3', -20102, 'InvalidParameter'],
] as const)("VOD's error text on the %s API", (api, code, codeDesc) => {
  it('reaches the client with the signature and the token redacted wherever VOD quoted them', async () => {
    const vod = await echoingVod(api);
    opened.push({ close: () => new Promise((resolve) => vod.server.close(resolve)) });
    const gateway: Gateway = createGateway({
      vod: { ...CREDENTIAL, baseUrl: vod.url },
      vodApi: api,
      logging: false,
      logger: false,
    });
    opened.push(gateway);
    const result = resultOf(await sendUpload(await gateway.listen(0), { bytes: images.png, filename: 'cover.png' }));
    const [echo] = vod.echoes;
    let expected = echo!.said;
    for (const secret of echo!.secrets) expected = expected.replaceAll(secret, '[redacted]');
    expect(expected).not.toContain(TOKEN);
    expect(result).toEqual({
      __typename: 'UploadVideoCoverError',
      code,
      reason: 'VOD_REJECTED',
      canRetry: false,
      message: `VOD rejected the cover (${expected} / ${codeDesc}).`,
    });
    for (const secret of echo!.secrets) expect(JSON.stringify(result)).not.toContain(secret);
  });
});
