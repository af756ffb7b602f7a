/**
 * Refusals of a request as a whole, one table (src/http/request-refusals.ts): every kind reaches a
 * client over a real socket with the status and `extensions.code` the table declares, nothing in
 * src/ mints a status or one of those codes elsewhere, and docs/security.md's table is the one the
 * code renders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { REQUEST_REFUSALS, type RequestRefusalKind, requestRefusalsTable } from '../../src/http/request-refusals.js';
import type { GatewayOptions } from '../../src/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import { VIDEO_FILE_ID } from '../helpers/multipart.js';
import { BOUNDARY, UPLOAD_OPERATIONS, fieldPart, jpegPart, multipartBody } from '../helpers/raw-multipart.js';
import { rawConnection } from '../helpers/raw-socket.js';
import { freePort } from '../helpers/service.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-graphql-yoga-csrf': '1' };
const JSON_QUERY = { 'content-type': 'application/json' };
const query = (text: string) => Buffer.from(JSON.stringify({ query: text }));
const MAP = { 0: ['variables.file'] };

/** POSTs exactly these headers (and Content-Length, unless given) over a raw socket; the answer's status and error codes. */
async function post(url: string, headers: Record<string, string>, body: Buffer) {
  const { pathname, host } = new URL(url);
  const { socket, closed } = rawConnection(url);
  const all = { host, connection: 'close', 'content-length': String(body.length), ...headers };
  socket.write(
    `POST ${pathname} HTTP/1.1\r\n${Object.entries(all)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );
  socket.write(body);
  const text = await closed;
  const [head = '', ...rest] = text.split('\r\n\r\n');
  let payload = rest.join('\r\n\r\n');
  if (/transfer-encoding: chunked/i.test(head)) payload = payload.replace(/^[0-9a-f]+\r\n|\r\n[0-9a-f]+\r\n/gi, '');
  const errors = (JSON.parse(payload) as { errors?: { extensions?: { code?: string } }[] }).errors;
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), codes: errors?.map((e) => e.extensions?.code) };
}

/** A request of each kind, and the gateway options that make it one. */
const CASES: Record<
  RequestRefusalKind,
  () => Promise<{ gateway?: Partial<GatewayOptions>; headers: Record<string, string>; body: Buffer }>
> = {
  'csrf-header-missing': async () => ({
    headers: { 'content-type': MULTIPART['content-type'] },
    body: multipartBody([fieldPart('operations', UPLOAD_OPERATIONS()), fieldPart('map', MAP), jpegPart()]),
  }),
  unauthenticated: async () => ({
    gateway: { auth: { jwt: { secret: 'a-secret-of-at-least-32-bytes-long!!' } } },
    headers: JSON_QUERY,
    body: query('{ uploadLimits { maxFileSize } }'),
  }),
  'authentication-unavailable': async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ scope: 'covers:write' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k' })
      .sign(privateKey);
    return {
      gateway: { auth: { jwt: { jwksUrl: `http://127.0.0.1:${await freePort()}/jwks.json`, jwksTimeoutMs: 500 } } },
      headers: { ...JSON_QUERY, authorization: `Bearer ${token}` },
      body: query('{ uploadLimits { maxFileSize } }'),
    };
  },
  'not-the-router': async () => ({
    gateway: { auth: { routerSignatureSecret: 'a-router-secret-of-at-least-32-bytes' } },
    headers: JSON_QUERY,
    body: query('{ uploadLimits { maxFileSize } }'),
  }),
  'bad-idempotency-key': async () => ({
    headers: { ...JSON_QUERY, 'idempotency-key': 'two words' },
    body: query('{ uploadLimits { maxFileSize } }'),
  }),
  'bad-multipart': async () => ({
    headers: MULTIPART,
    body: multipartBody([fieldPart('map', MAP), fieldPart('operations', UPLOAD_OPERATIONS()), jpegPart()]),
  }),
  'multipart-too-large': async () => ({
    headers: MULTIPART,
    body: multipartBody([
      fieldPart('operations', UPLOAD_OPERATIONS()),
      fieldPart('map', MAP),
      jpegPart(),
      jpegPart('1', 'second.jpg'),
    ]),
  }),
  'upload-too-large': async () => ({
    headers: { ...MULTIPART, expect: '100-continue', 'content-length': String(50 * 2 ** 20) },
    body: Buffer.alloc(0),
  }),
  'body-too-large': async () => ({
    headers: JSON_QUERY,
    body: Buffer.from(JSON.stringify({ query: '{ uploadLimits { maxFileSize } }', padding: 'x'.repeat(2 ** 20) })),
  }),
  'too-many-representations': async () => ({
    headers: JSON_QUERY,
    body: Buffer.from(
      JSON.stringify({
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
        variables: { r: Array.from({ length: 2001 }, () => ({ __typename: 'Video', fileId: VIDEO_FILE_ID })) },
      }),
    ),
  }),
};

describe('request refusals', () => {
  it.each(Object.keys(REQUEST_REFUSALS) as RequestRefusalKind[])(
    '%s: the client gets the status and extensions.code the table declares',
    async (kind) => {
      const { gateway, headers, body } = await CASES[kind]();
      await using h = await startGateway(gateway ? { gateway } : {});
      const { status, code } = REQUEST_REFUSALS[kind];
      expect(await post(h.url, headers, body)).toEqual({ status, codes: [code] });
      expect(h.emulator.callCount).toBe(0);
    },
    15_000,
  );

  it('are minted nowhere else in src/: no other file sets an HTTP status or one of their codes on an error', () => {
    const codes = [...new Set(Object.values(REQUEST_REFUSALS).map((rule) => rule.code))];
    const minting = new RegExp(`http:\\s*\\{\\s*status|code:\\s*'(${codes.join('|')})'`);
    const found: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (path.endsWith('.ts') && !path.endsWith('request-refusals.ts') && !path.includes('/emulator/'))
          for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries())
            if (minting.test(line)) found.push(`${path.slice(root.length)}:${index + 1}`);
      }
    };
    visit(join(root, 'src'));
    expect(found).toEqual([]);
  });

  it("hold docs/security.md's table exactly as the code renders it", () => {
    const doc = readFileSync(join(root, 'docs/security.md'), 'utf8');
    const start = doc.indexOf('\n', doc.indexOf('<!-- refusals:start')) + 1;
    expect(doc.slice(start, doc.indexOf('<!-- refusals:end -->')).trim()).toBe(requestRefusalsTable());
  });
});
