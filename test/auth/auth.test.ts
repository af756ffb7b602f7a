/**
 * Who may change a cover: bearer tokens (HS256 secret, JWKS on loopback), the upload scope, the
 * per-video rule. Tokens are signed here with jose; every refusal is shown to come before the body
 * is read and before VOD is called.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizeUpload } from '../../src/auth/upload-policy.js';
import { jpegOfSize, images } from '../fixtures/images.js';
import { startGateway, useGateway, type GatewayHarness, type StartedGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID } from '../helpers/multipart.js';
import { BOUNDARY, UPLOAD_OPERATIONS, multipartBody } from '../helpers/raw-multipart.js';
import { freePort } from '../helpers/service.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!';
const ISSUER = 'https://idp.test/';
const AUDIENCE = 'vod-covers';
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token with the usual claims; `claims` adds or overrides (undefined removes). */
function hsToken(
  claims: Omit<JWTPayload, 'exp'> & { exp?: number | undefined } = {},
  secret = SECRET,
): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'editor-1',
    scope: 'covers:read covers:write',
    iat: now(),
    exp: now() + 300,
    ...claims,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

/** A 900 KiB upload as one multipart body: big enough that reading it would show. */
const BIG_UPLOAD = multipartBody([
  { name: 'operations', value: UPLOAD_OPERATIONS() },
  { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
  { name: '0', filename: 'cover.jpg', bytes: jpegOfSize(900 * 1024), contentType: 'image/jpeg' },
]);

async function upload(url: string, authorization?: string, body: Buffer = BIG_UPLOAD) {
  const res = await request(url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'x-graphql-yoga-csrf': '1',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, challenge: res.headers['www-authenticate'], body: JSON.parse(text) as Answer, text };
}
type Answer = {
  data?: { uploadVideoCover?: Record<string, unknown> } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

/** An unsigned token: header `{"alg":"none"}`. */
function unsignedToken(payload: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

/** Expects a 401 that was answered before the body was read, with VOD never called. */
function expectRefusedUnread(h: GatewayHarness, answer: Awaited<ReturnType<typeof upload>>, error?: string) {
  expect(answer.status).toBe(401);
  expect(answer.challenge).toEqual(
    error
      ? expect.stringMatching(
          new RegExp(`^Bearer realm="vod-cover-gateway", error="${error}", error_description="[^"]+"$`),
        )
      : 'Bearer realm="vod-cover-gateway"',
  );
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  expect(h.emulator.callCount).toBe(0);
  expect(h.bytesRead()).toBeLessThan(256 * 1024);
}

describe('bearer tokens signed with the shared secret (HS256)', () => {
  const seen: Parameters<AuthorizeUpload>[0][] = [];
  const h = useGateway({
    gateway: {
      auth: { jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } },
      authorizeUpload: (input) => {
        seen.push(input);
        return true;
      },
    },
  });

  it('lets a token with the covers:write scope upload; the rule sees its claims and the video', async () => {
    seen.length = 0;
    const answer = await upload(h().url, `Bearer ${await hsToken()}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      videoFileId: VIDEO_FILE_ID,
    });
    expect(h().emulator.callCount).toBe(1);
    expect(seen).toEqual([
      { claims: expect.objectContaining({ sub: 'editor-1', iss: ISSUER }), videoFileId: VIDEO_FILE_ID },
    ]);
  });

  it.each<[string, () => Promise<string | undefined>, string | undefined]>([
    ['no Authorization header', async () => undefined, undefined],
    ['an empty Authorization header', async () => '', undefined],
    ['a Basic credential', async () => 'Basic ZWRpdG9yOnB3', 'invalid_request'],
    ['"Bearer" with no token', async () => 'Bearer ', 'invalid_request'],
    ['a token that is not a JWT', async () => 'Bearer not.a-jwt', 'invalid_token'],
    ['an expired token', async () => `Bearer ${await hsToken({ exp: now() - 3600 })}`, 'invalid_token'],
    [
      'a token signed with another secret',
      async () => `Bearer ${await hsToken({}, 'another-secret-of-at-least-32-bytes!!')}`,
      'invalid_token',
    ],
    [
      'a token from another issuer',
      async () => `Bearer ${await hsToken({ iss: 'https://evil.test/' })}`,
      'invalid_token',
    ],
    ['a token for another audience', async () => `Bearer ${await hsToken({ aud: 'billing' })}`, 'invalid_token'],
    ['a token without exp', async () => `Bearer ${await hsToken({ exp: undefined })}`, 'invalid_token'],
    [
      'a token not valid yet (nbf in an hour)',
      async () => `Bearer ${await hsToken({ nbf: now() + 3600 })}`,
      'invalid_token',
    ],
    [
      'an unsigned token (alg none)',
      async () => `Bearer ${unsignedToken({ iss: ISSUER, aud: AUDIENCE, exp: now() + 300, scope: 'covers:write' })}`,
      'invalid_token',
    ],
  ])(
    'refuses %s with 401 and WWW-Authenticate before reading the body; VOD is never called',
    async (_name, header, error) => {
      expectRefusedUnread(h(), await upload(h().url, await header()), error);
    },
  );

  it('refuses a JSON query without a token too: 401 on every operation', async () => {
    const res = await request(h().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ uploadLimits { maxFileSize } }' }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="vod-cover-gateway"');
    expect(((await res.body.json()) as Answer).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('allows 30 s of clock difference by default: a token expired 10 s ago passes, one expired 60 s ago does not', async () => {
    expect((await upload(h().url, `Bearer ${await hsToken({ exp: now() - 10 })}`)).status).toBe(200);
    h().reset();
    expectRefusedUnread(h(), await upload(h().url, `Bearer ${await hsToken({ exp: now() - 60 })}`), 'invalid_token');
  });

  it.each([
    ['a space-separated scope claim (RFC 8693)', { scope: 'covers:read covers:write' }],
    ['an scp list (Okta, Microsoft Entra ID)', { scope: undefined, scp: ['covers:read', 'covers:write'] }],
  ])('takes the scopes of %s', async (_name, claims) => {
    h().emulator.reset();
    const answer = await upload(h().url, `Bearer ${await hsToken(claims)}`);
    expect(answer.body.data?.uploadVideoCover).toMatchObject({ __typename: 'UploadVideoCoverSuccess' });
  });

  it('does not take an scp string, nor scp when a scope claim is there', async () => {
    for (const claims of [
      { scope: undefined, scp: 'covers:write' },
      { scope: 'covers:read', scp: ['covers:write'] },
    ]) {
      const answer = await upload(h().url, `Bearer ${await hsToken(claims)}`);
      expect(answer.body.data?.uploadVideoCover).toMatchObject({
        __typename: 'UploadVideoCoverError',
        reason: 'FORBIDDEN',
      });
    }
  });

  it('answers FORBIDDEN (-20007, canRetry false) to a token without covers:write, before reading the file; VOD is never called', async () => {
    const answer = await upload(h().url, `Bearer ${await hsToken({ scope: 'covers:read' })}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data?.uploadVideoCover).toEqual({
      __typename: 'UploadVideoCoverError',
      code: -20007,
      reason: 'FORBIDDEN',
      canRetry: false,
      message: 'The token does not grant the scope covers:write, which changing a cover needs.',
    });
    expect(h().emulator.callCount).toBe(0);
    expect(h().bytesRead()).toBeLessThan(256 * 1024);
  });
});

describe('a per-video rule (authorizeUpload)', () => {
  const rule: AuthorizeUpload = ({ claims, videoFileId }) => {
    if (videoFileId === 'rule-throws') throw new Error('the ownership service is down');
    return Promise.resolve(claims?.sub === `owner-of-${videoFileId}`);
  };
  const h = useGateway({ gateway: { auth: { jwt: { secret: SECRET } }, authorizeUpload: rule } });
  const bodyFor = (fileId: string) =>
    multipartBody([
      { name: 'operations', value: UPLOAD_OPERATIONS(fileId) },
      { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
      { name: '0', filename: 'cover.jpg', bytes: jpegOfSize(900 * 1024), contentType: 'image/jpeg' },
    ]);

  it("lets the video's owner upload", async () => {
    const answer = await upload(h().url, `Bearer ${await hsToken({ sub: 'owner-of-video-a' })}`, bodyFor('video-a'));
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      videoFileId: 'video-a',
    });
    expect(h().emulator.callCount).toBe(1);
  });

  it('answers FORBIDDEN, canRetry false, to anyone else, before the file is read; VOD is never called', async () => {
    const answer = await upload(h().url, `Bearer ${await hsToken({ sub: 'owner-of-video-a' })}`, bodyFor('video-b'));
    expect(answer.body.data?.uploadVideoCover).toEqual({
      __typename: 'UploadVideoCoverError',
      code: -20007,
      reason: 'FORBIDDEN',
      canRetry: false,
      message: 'You may not change the cover of video video-b.',
    });
    expect(h().emulator.callCount).toBe(0);
    expect(h().bytesRead()).toBeLessThan(256 * 1024);
  });

  it('answers FORBIDDEN with canRetry true when the rule throws', async () => {
    const answer = await upload(h().url, `Bearer ${await hsToken({ sub: 'anyone' })}`, bodyFor('rule-throws'));
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      reason: 'FORBIDDEN',
      code: -20007,
      canRetry: true,
      message: 'The authorization check failed; try again.',
    });
    expect(h().emulator.callCount).toBe(0);
  });
});

describe('bearer tokens checked against a JWKS served on loopback', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  let h: StartedGateway;
  const rsToken = (key: CryptoKey, kid: string, claims: JWTPayload = {}) =>
    new SignJWT({ sub: 'editor-2', scope: 'covers:write', exp: now() + 300, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    h = await startGateway({ gateway: { auth: { jwt: { jwksUrl, jwksTimeoutMs: 500 } } } });
  });
  afterAll(async () => {
    await h?.close();
    jwksServer?.closeAllConnections();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it('accepts tokens signed with a key of the set, and fetches the set once for many uploads', async () => {
    jwksRequests = 0;
    for (let i = 0; i < 3; i++) {
      const answer = await upload(
        h.url,
        `Bearer ${await rsToken(signingKey, 'key-1')}`,
        multipartBody([
          { name: 'operations', value: UPLOAD_OPERATIONS() },
          { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
          { name: '0', filename: 'cover.png', bytes: images.png, contentType: 'image/png' },
        ]),
      );
      expect(answer.body.data?.uploadVideoCover).toMatchObject({ __typename: 'UploadVideoCoverSuccess' });
    }
    expect(jwksRequests).toBe(1);
  });

  it.each<[string, () => Promise<string>]>([
    ['a token signed by a key not in the set (same kid)', () => rsToken(strangerKey, 'key-1')],
    ['a token whose kid is not in the set', () => rsToken(strangerKey, 'key-9')],
    ['an HS256 token when only the JWKS is configured', () => hsToken()],
  ])('refuses %s with 401 before reading the body', async (_name, token) => {
    h.reset();
    expectRefusedUnread(h, await upload(h.url, `Bearer ${await token()}`), 'invalid_token');
  });

  it('answers 503 AUTHENTICATION_UNAVAILABLE with Retry-After when the set cannot be fetched, and VOD is never called', async () => {
    // A port nobody listens on (a free one; port 9 is a port fetch() refuses, and is refused at start).
    await using down = await startGateway({
      gateway: { auth: { jwt: { jwksUrl: `http://127.0.0.1:${await freePort()}/jwks.json`, jwksTimeoutMs: 500 } } },
    });
    const answer = await upload(down.url, `Bearer ${await rsToken(signingKey, 'key-1')}`);
    expect(answer.status).toBe(503);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['AUTHENTICATION_UNAVAILABLE']);
    expect(down.emulator.callCount).toBe(0);
  });
});
