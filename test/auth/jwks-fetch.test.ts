/**
 * The JWKS fetch is bounded: a size (1 MB by default) and one deadline for the whole fetch, body
 * included; one fetch in flight; a failure remembered for the cool-down; plain http only on
 * loopback; a URL fetch cannot reach at all refused at start. Each against a real key-set server
 * on loopback that misbehaves one way.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import { freePort, startService } from '../helpers/service.js';

const now = () => Math.floor(Date.now() / 1000);
let signingKey: CryptoKey;
beforeAll(async () => {
  signingKey = (await generateKeyPair('RS256')).privateKey;
});
/** An RS256 token whose kid the key set is asked for; `n` keeps each one different. */
const token = (n = 0) =>
  new SignJWT({ scope: 'covers:write', exp: now() + 300, n })
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
    .sign(signingKey);

/** A key-set server on loopback whose answer `serve` writes; counts requests and the bytes it managed to send. */
async function keySetServer(
  serve: (res: ServerResponse, sent: (n: number) => void) => void,
): Promise<{ url: string; requests(): number; bytesSent(): number; close(): Promise<void> }> {
  let requests = 0;
  let bytes = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.on('error', () => undefined);
    serve(res, (n) => (bytes += n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    requests: () => requests,
    bytesSent: () => bytes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Asks the gateway one JSON operation with `Authorization: Bearer <token>`: the status, the code,
 * Retry-After, and the time it took.
 */
async function ask(url: string, bearer: string) {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: '{"query":"{ __typename }"}',
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return {
    status: res.status,
    code: body.errors?.[0]?.extensions?.code,
    retryAfter: res.headers.get('retry-after'),
    ms: performance.now() - started,
  };
}

const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

describe('a key set that misbehaves', () => {
  it('stops reading a 400 MB key set at 1 MB: 503 in well under a second, memory flat', async () => {
    const keySet = await keySetServer((res, sent) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = Buffer.from(`{"kty":"oct","k":"${'A'.repeat(1000)}"},`);
      res.write('{"keys":[');
      let left = 400_000;
      const more = (): void => {
        while (left-- > 0) {
          sent(piece.length);
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end('{}]}');
      };
      more();
    });
    opened.push(keySet);
    const h = await startGateway({ gateway: { auth: { jwt: { jwksUrl: keySet.url } } } });
    opened.push(h);
    const rssBefore = process.memoryUsage().rss;
    const answer = await ask(h.url, await token());
    expect(answer).toMatchObject({ status: 503, code: 'AUTHENTICATION_UNAVAILABLE' });
    expect(answer.ms).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
    // What the server could push before the client stopped: the 1 MB read and the socket buffers.
    expect(keySet.bytesSent()).toBeLessThan(16 * 2 ** 20);
  });

  it('gives the whole fetch one deadline, body included: a body that trickles is cut off at jwksTimeoutMs', async () => {
    const keySet = await keySetServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    opened.push(keySet);
    const h = await startGateway({ gateway: { auth: { jwt: { jwksUrl: keySet.url, jwksTimeoutMs: 400 } } } });
    opened.push(h);
    const answer = await ask(h.url, await token());
    expect(answer).toMatchObject({ status: 503, code: 'AUTHENTICATION_UNAVAILABLE' });
    expect(answer.ms).toBeGreaterThanOrEqual(350);
    expect(answer.ms).toBeLessThan(1400);
  });

  it('fetches once for 20 tokens at once, and remembers the failure: 20 more later make no fetch either', async () => {
    const keySet = await keySetServer((res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('down');
    });
    opened.push(keySet);
    const h = await startGateway({ gateway: { auth: { jwt: { jwksUrl: keySet.url } } } });
    opened.push(h);
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => token(i)));
    const together = await Promise.all(tokens.slice(0, 20).map((t) => ask(h.url, t)));
    expect(together.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 503));
    expect(keySet.requests()).toBe(1);
    for (const t of tokens.slice(20)) {
      const answer = await ask(h.url, t);
      expect(answer).toMatchObject({ status: 503, code: 'AUTHENTICATION_UNAVAILABLE' });
      // Retry-After: what is left of the cool-down (30 s), in whole seconds.
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(30);
    }
    expect(keySet.requests()).toBe(1);
  });
});

describe('key-set URLs refused at start', () => {
  it.each([
    [
      'plain http to another host',
      'http://idp.example.com/.well-known/jwks.json',
      'must be https:, or http: on loopback (127.0.0.1, ::1, localhost), got "http://idp.example.com/.well-known/jwks.json"',
    ],
    [
      'a port fetch never connects to (6000)',
      'https://idp.example.com:6000/jwks.json',
      "port 6000 is one that fetch() refuses to connect to (the Fetch standard's blocked ports): the key set could never be fetched",
    ],
    [
      'a port fetch never connects to, on loopback (10080)',
      'http://127.0.0.1:10080/jwks.json',
      "port 10080 is one that fetch() refuses to connect to (the Fetch standard's blocked ports): the key set could never be fetched",
    ],
  ])('refuses %s, by AUTH_JWKS_URL and by createGateway', (_name, jwksUrl, why) => {
    let error: unknown;
    try {
      loadConfig({ AUTH_JWKS_URL: jwksUrl });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`AUTH_JWKS_URL: ${why}`);
    expect(() =>
      createGateway({ vod: { secretId: 'id', secretKey: 'key' }, auth: { jwt: { jwksUrl } }, logger: false }),
    ).toThrow(`jwksUrl ${why}`);
  });

  it('takes https anywhere and plain http on loopback', () => {
    for (const jwksUrl of [
      'https://idp.example.com/jwks.json',
      'http://127.0.0.1:8080/jwks.json',
      'http://[::1]:8080/jwks.json',
      'http://localhost:8080/jwks.json',
    ]) {
      expect(loadConfig({ AUTH_JWKS_URL: jwksUrl }).auth?.jwt?.jwksUrl).toBe(jwksUrl);
    }
  });

  it('stops the service with one line naming AUTH_JWKS_URL, and exit code 1', async () => {
    const service = await startService({
      AUTH_JWKS_URL: `http://127.0.0.1:6000/jwks.json`,
      PORT: String(await freePort()),
    });
    expect(await service.exited).toBe(1);
    expect(service.messages()).toEqual([
      "Configuration error: AUTH_JWKS_URL: port 6000 is one that fetch() refuses to connect to (the Fetch standard's blocked ports): the key set could never be fetched",
    ]);
  });
});

afterAll(() => undefined);
