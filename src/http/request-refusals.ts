import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';

/** One way a request is refused as a whole: what the client gets, and when. */
export interface RequestRefusalRule {
  /** The HTTP status (200 where the refusal is a GraphQL error in an executed result). */
  status: 200 | 400 | 401 | 403 | 413 | 503;
  /** `extensions.code`. */
  code: string;
  /** The request that gets it, for the table in docs/security.md. */
  when: string;
  /** How much of the request was read, or what did not happen. */
  read: string;
}

/**
 * Every refusal of a request as a whole, declared once: the plugins that refuse name a kind and
 * give the message (which carries the request's own facts); status and code come from here, and
 * docs/security.md's table is rendered from it (test/http/request-refusals.test.ts checks both).
 * Failures of one upload are not here: they are the union's error member (outcomes.ts).
 */
export const REQUEST_REFUSALS = {
  'csrf-header-missing': {
    status: 403,
    code: 'CSRF_HEADER_MISSING',
    when: 'a multipart, form or `text/plain` request without `x-graphql-yoga-csrf` or `apollo-require-preflight`',
    read: 'before a byte of the body is read',
  },
  unauthenticated: {
    status: 401,
    code: 'UNAUTHENTICATED',
    when: 'with authentication on: no bearer token, or one that is malformed, expired, badly signed or for another issuer or audience (with `WWW-Authenticate: Bearer …`)',
    read: 'before a byte of the body is read',
  },
  'authentication-unavailable': {
    status: 503,
    code: 'AUTHENTICATION_UNAVAILABLE',
    when: 'with authentication on: the JWKS cannot be fetched (with `Retry-After`)',
    read: 'before a byte of the body is read',
  },
  'not-the-router': {
    status: 403,
    code: 'FORBIDDEN',
    when: 'with `AUTH_ROUTER_HMAC_SECRET`: no valid router signature',
    read: 'before the file is read',
  },
  'bad-idempotency-key': {
    status: 400,
    code: 'BAD_REQUEST',
    when: 'an `Idempotency-Key` that is not 1–255 visible ASCII characters (a quoted string or a bare token)',
    read: 'before a byte of the body is read',
  },
  'bad-multipart': {
    status: 400,
    code: 'BAD_REQUEST',
    when: 'no `map`, `map` before `operations`, non-JSON fields, a batch; a `map` path that is not a `null` value of `operations` (own properties all the way, array indexes in range; the same place at most once); a body that ends early',
    read: 'before any file part is read',
  },
  'multipart-too-large': {
    status: 413,
    code: 'REQUEST_TOO_LARGE',
    when: 'a second file, declared in `map` or not; `operations` or `map` over `maxFieldSize`',
    read: 'VOD is not called',
  },
  'upload-too-large': {
    status: 413,
    code: 'REQUEST_TOO_LARGE',
    when: '`Expect: 100-continue` with a declared length no upload can have',
    read: 'instead of `100 Continue`: nothing is sent',
  },
  'body-too-large': {
    status: 413,
    code: 'REQUEST_TOO_LARGE',
    when: 'a body over its bound: JSON (or any non-multipart) over `maxBodySize`, multipart over the longest a valid upload can be',
    read: 'by its declared length before reading, or as soon as a chunked body passes it',
  },
  'too-many-representations': {
    status: 200,
    code: 'TOO_MANY_REPRESENTATIONS',
    when: 'an operation asking `_entities` for more than `maxRepresentations`',
    read: 'nothing is resolved',
  },
} as const satisfies Record<string, RequestRefusalRule>;

export type RequestRefusalKind = keyof typeof REQUEST_REFUSALS;

/**
 * The error that refuses a request as `kind` says, with `message` (the request's own facts) and any
 * headers the answer needs (`WWW-Authenticate`, `Retry-After`, `Connection: close`).
 */
export function requestRefusal(
  kind: RequestRefusalKind,
  message: string,
  headers?: Readonly<Record<string, string>>,
): GraphQLError {
  const { status, code } = REQUEST_REFUSALS[kind];
  // A 200 refusal is an error in an executed result: Yoga gives no status of its own to it.
  const http = status === 200 ? undefined : { status, ...(headers ? { headers } : {}) };
  return createGraphQLError(message, { extensions: { code, ...(http ? { http } : {}) } });
}

/** docs/security.md's table of refusals, rendered from {@link REQUEST_REFUSALS}. */
export function requestRefusalsTable(): string {
  return [
    '| request | status | `extensions.code` | read |',
    '|---|---|---|---|',
    ...Object.values(REQUEST_REFUSALS).map(
      (rule: RequestRefusalRule) => `| ${rule.when} | ${rule.status} | \`${rule.code}\` | ${rule.read} |`,
    ),
  ].join('\n');
}
