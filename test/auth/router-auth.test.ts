/**
 * Authentication behind a real Hive Gateway (@graphql-hive/gateway-runtime) composed with the
 * videos subgraph: the client's bearer token forwarded to the subgraph, and the router's HMAC
 * upstream signature that the subgraph requires. Every refusal is shown to come before VOD.
 */
import { defaultExecutionRequestSerializer } from '@graphql-mesh/hmac-upstream-signature';
import { print } from 'graphql';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFilesAsEmpty } from '../../src/auth/router-signature.js';
import type { GatewayOptions } from '../../src/gateway.js';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { images, sha1 } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID, uploadForm } from '../helpers/multipart.js';
import { VIDEOS_SDL, composeSupergraph, startHiveGateway, startVideosSubgraph } from '../helpers/supergraph.js';

const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!';
const ROUTER_SECRET = 'router-to-subgraph-secret-32-bytes';
const token = (scope: string) =>
  new SignJWT({ sub: 'editor-1', scope, exp: Math.floor(Date.now() / 1000) + 300 })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(JWT_SECRET));

type Answer = {
  data?: { uploadVideoCover?: Record<string, unknown> | null } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};
const QUERY = print(UploadVideoCoverDocument).replace('instant', 'instant video { fileId title }');

/** Sends the upload through `url` (the router or the subgraph itself). */
async function upload(url: string, headers: Record<string, string> = {}, extensions?: Record<string, unknown>) {
  const form = uploadForm({ bytes: images.jpg, filename: 'cover.jpg', query: QUERY, type: 'image/jpeg' });
  if (extensions) {
    const operations = JSON.parse(form.get('operations') as string) as Record<string, unknown>;
    form.set('operations', JSON.stringify({ ...operations, extensions }));
  }
  const res = await fetch(url, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1', ...headers } });
  return { status: res.status, body: (await res.json()) as Answer };
}

/** The covers subgraph with `auth`, the videos subgraph, and Hive Gateway in front of both. */
async function stack(auth: Partial<GatewayOptions>, hive: Parameters<typeof startHiveGateway>[1]) {
  const covers = await startGateway({ gateway: auth });
  const videos = await startVideosSubgraph();
  const { printGatewaySchema } = await import('../../src/schema/index.js');
  const composed = composeSupergraph({
    covers: { sdl: printGatewaySchema(), url: covers.url },
    videos: { sdl: VIDEOS_SDL, url: videos.url },
  });
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const router = await startHiveGateway(composed.supergraphSdl, hive);
  return {
    covers,
    router,
    async close() {
      await router.close();
      await videos.close();
      await covers.close();
    },
  };
}

describe("Hive Gateway forwards the client's bearer token to the subgraph", () => {
  let s: Awaited<ReturnType<typeof stack>>;
  beforeAll(async () => {
    s = await stack({ auth: { jwt: { secret: JWT_SECRET } } }, { propagate: ['authorization'] });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an upload with a covers:write token goes through, joined with the video', async () => {
    s.covers.reset();
    const answer = await upload(s.router.url, { authorization: `Bearer ${await token('covers:write')}` });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      sha1: sha1(images.jpg),
      video: { fileId: VIDEO_FILE_ID, title: `Video ${VIDEO_FILE_ID}` },
    });
    expect(s.covers.emulator.callCount).toBe(1);
  });

  it('without a token the subgraph refuses (UNAUTHENTICATED reaches the client) and VOD is never called', async () => {
    s.covers.reset();
    const answer = await upload(s.router.url);
    expect(answer.body.data?.uploadVideoCover ?? null).toBeNull();
    expect(answer.body.errors?.map((e) => e.extensions?.['code'])).toContain('UNAUTHENTICATED');
    expect(s.covers.emulator.callCount).toBe(0);
  });

  it('a token without covers:write gets the FORBIDDEN member through the router, and VOD is never called', async () => {
    s.covers.reset();
    const answer = await upload(s.router.url, { authorization: `Bearer ${await token('covers:read')}` });
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverError',
      reason: 'FORBIDDEN',
      code: -20007,
      canRetry: false,
    });
    expect(s.covers.emulator.callCount).toBe(0);
  });
});

describe('Hive Gateway signs its requests (HMAC upstream signature) and the subgraph takes only signed ones', () => {
  let s: Awaited<ReturnType<typeof stack>>;
  let unsignedRouter: Awaited<ReturnType<typeof stack>>;
  let defaultSerializerRouter: Awaited<ReturnType<typeof stack>>;
  const auth = { auth: { routerSignatureSecret: ROUTER_SECRET } };
  beforeAll(async () => {
    s = await stack(auth, {
      hmacSignature: {
        secret: ROUTER_SECRET,
        serializeExecutionRequest: (request) =>
          defaultExecutionRequestSerializer({ ...request, variables: withFilesAsEmpty(request.variables) }) ?? '',
      },
    });
    unsignedRouter = await stack(auth, {});
    defaultSerializerRouter = await stack(auth, { hmacSignature: { secret: ROUTER_SECRET } });
  });
  afterAll(async () => {
    await Promise.all([s?.close(), unsignedRouter?.close(), defaultSerializerRouter?.close()]);
  });

  it('an upload signed by the router (with withFilesAsEmpty) goes through intact', async () => {
    s.covers.reset();
    const answer = await upload(s.router.url);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.uploadVideoCover).toMatchObject({
      __typename: 'UploadVideoCoverSuccess',
      sha1: sha1(images.jpg),
    });
    const [stored] = s.covers.emulator.covers.list();
    expect(sha1(stored!.bytes)).toBe(sha1(images.jpg));
  });

  it('a query signed by the router (no file) goes through', async () => {
    const res = await fetch(s.router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ uploadLimits { maxFileSize } }' }),
    });
    expect(await res.json()).toEqual({ data: { uploadLimits: { maxFileSize: 1_048_576 } } });
  });

  it.each<[string, () => Promise<{ status: number; body: Answer }>, () => Awaited<ReturnType<typeof stack>>]>([
    ['a client calling the subgraph directly', () => upload(s.covers.url), () => s],
    [
      'a client forging the signature',
      () => upload(s.covers.url, {}, { 'hmac-signature': Buffer.alloc(32, 7).toString('base64') }),
      () => s,
    ],
    ['a router that does not sign', () => upload(unsignedRouter.router.url), () => unsignedRouter],
    [
      "a router signing with Hive Gateway's default serializer (it signs the file object's internals)",
      () => upload(defaultSerializerRouter.router.url),
      () => defaultSerializerRouter,
    ],
  ])('refuses %s: FORBIDDEN, and VOD is never called', async (_name, send, which) => {
    which().covers.reset();
    const answer = await send();
    expect(answer.body.data?.uploadVideoCover ?? null).toBeNull();
    expect(answer.body.errors?.map((e) => e.extensions?.['code'])).toContain('FORBIDDEN');
    expect(which().covers.emulator.callCount).toBe(0);
  });
});
