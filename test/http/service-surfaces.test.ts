/**
 * The service's public surfaces as an operator sets them from the environment: the start line that
 * says who may call, tokens that never reach a log or an answer, the admin listener, GraphiQL in
 * production, and CORS on every path. The real service is spawned (src/main.ts).
 */
import { SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images } from '../fixtures/images.js';
import { useGateway } from '../helpers/gateway.js';
import { sendUpload } from '../helpers/multipart.js';
import { rawGet } from '../helpers/raw-socket.js';
import { freePort, startService, type RunningService } from '../helpers/service.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!';
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT({ exp: now() + 300, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));

describe('npm start says who may call', () => {
  it('in one line when authentication is off', async () => {
    await using service = await startService({ LOG_LEVEL: 'info' });
    expect(service.messages()).toContain(
      'Authentication: off (no AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_ROUTER_HMAC_SECRET): anyone who reaches the port may change covers',
    );
  });
});

describe('a token appears in no log line and no answer', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('whether it is accepted, refused for its scope, expired, badly signed or malformed', async () => {
    expect(service.messages()).toContain('Authentication: bearer JWT (HS256 secret) required on every operation');
    const canaries = [
      await sign({ sub: 'canary-accepted', scope: 'covers:write' }),
      await sign({ sub: 'canary-no-scope', scope: 'covers:read' }),
      await sign({ sub: 'canary-expired', scope: 'covers:write', exp: now() - 3600 }),
      await sign({ sub: 'canary-bad-signature', scope: 'covers:write' }, 'not-the-secret-but-32-bytes-long!!'),
      'canary.not-a-jwt.at-all',
    ];
    const answers: string[] = [];
    for (const token of canaries) {
      const answer = await sendUpload(service.url, {
        bytes: images.png,
        filename: 'canary.png',
        headers: { 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${token}` },
      });
      answers.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    }
    // What each got, so that the search below looks at real answers.
    expect(answers.map((a) => a.split(' ', 1)[0])).toEqual(['200', '200', '401', '401', '401']);
    expect(answers[0]).toContain('UploadVideoCoverSuccess');
    expect(answers[1]).toContain('FORBIDDEN');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const printed = service.printed();
    expect(printed).toContain('"reason":"FORBIDDEN"');
    for (const token of canaries) {
      // The whole token, and each of its parts (a claims segment would show the canary's sub).
      for (const piece of [token, ...token.split('.').filter((part) => part.length >= 8)]) {
        expect(printed).not.toContain(piece);
        for (const answer of answers) expect(answer).not.toContain(piece);
      }
    }
    expect(printed).not.toContain(SECRET);
  });
});

describe('ADMIN_PORT', () => {
  let service: RunningService;
  let adminPort: number;
  beforeAll(async () => {
    adminPort = await freePort();
    service = await startService({ ADMIN_PORT: String(adminPort), LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('serves /metrics, /health and /ready on the admin port, and not on the public one', async () => {
    expect(service.messages()).toContain(`Admin (/metrics, /health, /ready): port ${adminPort}`);
    const publicBase = service.url.replace('/graphql', '');
    for (const path of ['/metrics', '/health', '/ready']) {
      const admin = await request(`http://127.0.0.1:${adminPort}${path}`);
      expect(admin.statusCode).toBe(200);
      await admin.body.dump();
      const open = await request(`${publicBase}${path}`);
      expect(open.statusCode).toBe(404);
      await open.body.dump();
    }
  });

  it.each([
    '/health',
    '//health',
    '/x/health',
    '/graphql/health',
    '/health/',
    '/health?full=1',
    '/ready?x',
    '//metrics',
  ])('answers %s with 404 on the public port: no spelling of an operator path is answered there', async (path) => {
    const answer = await rawGet(service.url, path);
    expect(answer.status).toBe(404);
    expect(answer.head).not.toMatch(/^x-yoga-id:/im);
  });

  it('answers /graphql?/health as it answers /graphql without a query: a GraphQL error, not a health check', async () => {
    const headers = { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1' };
    const [asked, plain] = [
      await rawGet(service.url, '/graphql?/health', headers),
      await rawGet(service.url, '/graphql', headers),
    ];
    expect(asked.status).toBe(400);
    expect(asked.head).not.toMatch(/^x-yoga-id:/im);
    expect(JSON.parse(asked.body)).toEqual({
      errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(asked.body).toBe(plain.body);
  });

  it('stops the start with one line naming ADMIN_PORT when it is taken', async () => {
    const taken = await startService({ ADMIN_PORT: String(adminPort) });
    expect(await taken.exited).toBe(1);
    expect(taken.messages()).toContain(
      `Configuration error: ADMIN_PORT: port ${adminPort} is already in use (EADDRINUSE)`,
    );
  });
});

describe('GraphiQL under NODE_ENV=production', () => {
  const page = async (service: RunningService) => {
    const res = await request(service.url, { headers: { accept: 'text/html' } });
    const html = await res.body.text();
    const asset = await request(`${service.url}/graphiql-assets/graphiql.css`);
    await asset.body.dump();
    return { graphiql: html.includes('<title>vod-cover-gateway</title>'), asset: asset.statusCode };
  };

  it('is off by default, and on with GRAPHIQL=true', async () => {
    await using off = await startService({ NODE_ENV: 'production', LOG_LEVEL: 'info' });
    await using on = await startService({ NODE_ENV: 'production', GRAPHIQL: 'true' });
    expect(off.messages()).toContainEqual(
      expect.stringContaining('(GraphiQL off: NODE_ENV=production without GRAPHIQL=true)'),
    );
    expect(await page(off)).toEqual({ graphiql: false, asset: 404 });
    expect(await page(on)).toEqual({ graphiql: true, asset: 200 });
  });
});

describe('CORS', () => {
  const ALLOWED = 'https://app.example.com';
  const closed = useGateway();
  const open = useGateway({ gateway: { corsOrigins: [ALLOWED, 'https://admin.example.com'] } });
  const preflight = (url: string, origin: string) =>
    request(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-graphql-yoga-csrf, authorization',
      },
    });
  const corsHeaders = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));

  it('by default sends no access-control header on any path, preflight or not', async () => {
    const base = closed().url.replace('/graphql', '');
    const answers = [
      await preflight(closed().url, ALLOWED),
      await request(closed().url, {
        method: 'POST',
        headers: { origin: ALLOWED, 'content-type': 'application/json' },
        body: '{"query":"{ uploadLimits { maxFileSize } }"}',
      }),
      await request(`${base}/health`, { headers: { origin: ALLOWED } }),
      await request(`${base}/graphql/graphiql-assets/graphiql.css`, { headers: { origin: ALLOWED } }),
    ];
    for (const answer of answers) {
      expect(corsHeaders(answer.headers)).toEqual({});
      await answer.body.dump();
    }
  });

  it('answers a listed origin with its own origin, credentials and the headers an upload needs', async () => {
    const answer = await preflight(open().url, ALLOWED);
    expect(corsHeaders(answer.headers)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type, x-graphql-yoga-csrf, apollo-require-preflight',
      'access-control-max-age': '600',
    });
    expect(answer.headers['vary']).toContain('Origin');
    await answer.body.dump();
  });

  it('sends no access-control header to an origin it does not list, not even "null"', async () => {
    for (const origin of ['https://evil.example.com', 'null']) {
      const answer = await preflight(open().url, origin);
      expect(corsHeaders(answer.headers)).toEqual({});
      await answer.body.dump();
    }
  });
});
