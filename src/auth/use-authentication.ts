import type { Plugin } from 'graphql-yoga';
import type { JWTPayload } from 'jose';
import { MIN_SECRET_BYTES, createJwtVerifier, TokenRefused, type JwtOptions } from './jwt-verifier.js';
import { ROUTER_SIGNATURE_EXTENSION, isRouterSignatureValid } from './router-signature.js';
import { requestRefusal } from '../http/request-refusals.js';

/** Options of {@link useAuthentication}. With neither set, every request passes. */
export interface AuthenticationOptions {
  /**
   * Bearer tokens (`Authorization: Bearer <JWT>`) every request must carry.
   * @default undefined (no token needed)
   */
  jwt?: JwtOptions;
  /**
   * Secret of Hive Gateway's HMAC upstream signature (`hmacSignature.secret`), at least 32 bytes:
   * every request must be signed by the router.
   * @default undefined (no signature needed)
   */
  routerSignatureSecret?: string;
}

/** Who is calling, on the GraphQL context of an authenticated request. */
export interface AuthenticatedCaller {
  /** The verified token's claims (`sub`, `scope`, …). */
  claims: JWTPayload;
}

export interface AuthenticationContext {
  auth?: AuthenticatedCaller;
}

const REALM = 'vod-cover-gateway';

/**
 * Authentication for every operation, as a Yoga plugin:
 * - a bearer token is checked in `onRequestParse`, before a byte of the body is read: a missing,
 *   malformed, expired or badly signed token is refused with 401, `WWW-Authenticate: Bearer` and
 *   `extensions.code: UNAUTHENTICATED` (put this plugin before `useStreamingUploads`);
 * - the router's signature is checked in `onParams`, once the operation is known but before a file
 *   is read: a request without a valid one is refused with 403 `FORBIDDEN`.
 *
 * The verified claims go on the context as `auth.claims`.
 */
export function useAuthentication(options: AuthenticationOptions): Plugin<AuthenticationContext> {
  const verify = options.jwt ? createJwtVerifier(options.jwt) : undefined;
  const routerSecret = options.routerSignatureSecret;
  // The same floor as for the JWT secret: HMAC-SHA256 with a short key is guessable offline from one signed request.
  if (routerSecret !== undefined && Buffer.byteLength(routerSecret) < MIN_SECRET_BYTES) {
    throw new RangeError(
      `useAuthentication: option "routerSignatureSecret" must be at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  const claimsOf = new WeakMap<Request, JWTPayload>();

  return {
    async onRequestParse({ request }) {
      if (!verify) return;
      const token = bearerToken(request.headers.get('authorization'));
      try {
        claimsOf.set(request, await verify(token));
      } catch (error) {
        if (error instanceof TokenRefused && error.kind === 'invalid')
          throw unauthenticated(error.message, 'invalid_token');
        const retryAfterMs = error instanceof TokenRefused ? error.retryAfterMs : undefined;
        throw requestRefusal(
          'authentication-unavailable',
          'Authentication is unavailable for a moment: the token keys cannot be fetched.',
          { 'retry-after': String(Math.max(1, Math.ceil((retryAfterMs ?? 5000) / 1000))) },
        );
      }
    },

    onParams({ params }) {
      if (routerSecret === undefined) return;
      if (!isRouterSignatureValid(routerSecret, params, params.extensions?.[ROUTER_SIGNATURE_EXTENSION])) {
        throw requestRefusal(
          'not-the-router',
          'Only the federation router may call this service: the request carries no valid router signature.',
        );
      }
    },

    onContextBuilding({ context, extendContext }) {
      const claims = claimsOf.get((context as { request: Request }).request);
      if (claims) extendContext({ auth: { claims } });
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or a 401. */
function bearerToken(header: string | null): string {
  if (header === null || header.trim() === '')
    throw unauthenticated('Authentication required: send Authorization: Bearer <token>.');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header is not "Bearer <token>".', 'invalid_request');
  return match[1]!;
}

/** 401 with the challenge RFC 6750 §3 asks for; the description never holds the token. */
function unauthenticated(message: string, error?: 'invalid_request' | 'invalid_token') {
  const challenge = error
    ? `Bearer realm="${REALM}", error="${error}", error_description="${message.replace(/["\\]/g, '')}"`
    : `Bearer realm="${REALM}"`;
  return requestRefusal('unauthenticated', message, { 'www-authenticate': challenge });
}
