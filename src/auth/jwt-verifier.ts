import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { KeySetUnavailable, createKeySetFetch, keySetUrlProblem } from './key-set-fetch.js';
import { createVerifiedTokens, type VerifiedTokensOptions } from './verified-tokens.js';

/** Options of {@link createJwtVerifier}: where keys come from and which claims must hold. */
export interface JwtOptions {
  /**
   * Shared secret for HS256 tokens, at least 32 bytes (RFC 7518 §3.2).
   * @default undefined (HS256 tokens are refused)
   */
  secret?: string;
  /**
   * URL of a JSON Web Key Set for asymmetric tokens (RS*, PS*, ES*, EdDSA). Keys are cached for
   * 10 minutes; a token with an unknown `kid` fetches the set again at most every 30 s.
   * @default undefined (asymmetric tokens are refused)
   */
  jwksUrl?: string;
  /**
   * The `iss` every token must carry.
   * @default undefined (not checked)
   */
  issuer?: string;
  /**
   * An `aud` every token must carry.
   * @default undefined (not checked)
   */
  audience?: string;
  /**
   * Clock difference allowed when `exp` and `nbf` are checked, in seconds: 0 to 300.
   * @default 30
   */
  clockToleranceSeconds?: number;
  /**
   * Longest time for the whole JWKS fetch, headers and body, in ms.
   * @default 5000
   */
  jwksTimeoutMs?: number;
  /**
   * Largest key set read, in bytes; a longer one is a failed fetch.
   * @default 1048576
   */
  jwksMaxBytes?: number;
  /**
   * How long a failed JWKS fetch is remembered, in ms: tokens that need the set are answered 503
   * at once meanwhile, with this much left as Retry-After. Also the least time between two fetches
   * for an unknown `kid`.
   * @default 30000
   */
  jwksCooldownMs?: number;
  /**
   * Verified tokens remembered, so that a client's next request with the same token is not
   * verified again (see verified-tokens.ts), or `false` to verify every request.
   * @default { max: 1000, ttlMs: 60000 }
   */
  verifiedTokens?: VerifiedTokensOptions | false;
}

/** Why a token was not accepted: the token's fault (`invalid`), or the key source's (`unavailable`). */
export class TokenRefused extends Error {
  constructor(
    readonly kind: 'invalid' | 'unavailable',
    message: string,
    /** With `unavailable`: when the key source will be asked again, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TokenRefused';
  }
}

export const MIN_SECRET_BYTES = 32;
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Errors that say the token is wrong; any other failure is the key source's (JWKS down, timeout, bad JSON). */
const TOKEN_FAULTS: ReadonlySet<string> = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

/**
 * Verifies a bearer token with jose: its signature (HS256 with the secret, or a JWKS key), `exp`
 * (required) and `nbf` within the clock tolerance, and `iss` and `aud` when configured. Resolves
 * with the claims, or rejects with a {@link TokenRefused} whose message never holds the token.
 */
export function createJwtVerifier(options: JwtOptions): (token: string) => Promise<JWTPayload> {
  const {
    secret,
    jwksUrl,
    issuer,
    audience,
    clockToleranceSeconds = 30,
    jwksTimeoutMs = 5000,
    jwksMaxBytes = 1_048_576,
    jwksCooldownMs = 30_000,
    verifiedTokens: remembered = {},
  } = options;
  checkJwtOptions(secret, jwksUrl, clockToleranceSeconds);
  const jwks =
    jwksUrl === undefined ? undefined : remoteKeySet(jwksUrl, { jwksTimeoutMs, jwksMaxBytes, jwksCooldownMs });
  const { keyFor, algorithms } = keysFor(secret, jwks);
  const verified = remembered === false ? undefined : createVerifiedTokens(remembered, clockToleranceSeconds);

  return async (token) => {
    const known = verified?.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, keyFor, {
        algorithms,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp'],
        ...(issuer === undefined ? {} : { issuer }),
        ...(audience === undefined ? {} : { audience }),
      });
      verified?.remember(token, payload);
      return payload;
    } catch (error) {
      throw refusalOf(error);
    }
  };
}

/** Refuses options no token could be verified with, naming the option. */
function checkJwtOptions(secret: string | undefined, jwksUrl: string | undefined, clockToleranceSeconds: number): void {
  if (secret === undefined && jwksUrl === undefined)
    throw new TypeError('JWT authentication needs a secret or a JWKS URL');
  const urlProblem = jwksUrl === undefined ? undefined : keySetUrlProblem(jwksUrl);
  if (urlProblem) throw new TypeError(`jwksUrl ${urlProblem}`);
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES)
    throw new RangeError(`The HS256 secret must be at least ${MIN_SECRET_BYTES} bytes`);
  if (!(clockToleranceSeconds >= 0 && clockToleranceSeconds <= MAX_CLOCK_TOLERANCE_SECONDS)) {
    throw new RangeError(`clockToleranceSeconds must be 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }
}

function remoteKeySet(
  jwksUrl: string,
  {
    jwksTimeoutMs,
    jwksMaxBytes,
    jwksCooldownMs,
  }: Required<Pick<JwtOptions, 'jwksTimeoutMs' | 'jwksMaxBytes' | 'jwksCooldownMs'>>,
): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), {
    // Our fetch holds the deadline; jose's own timeout is only a backstop behind it.
    timeoutDuration: jwksTimeoutMs + 1000,
    cooldownDuration: jwksCooldownMs,
    [customFetch]: createKeySetFetch({
      timeoutMs: jwksTimeoutMs,
      maxBytes: jwksMaxBytes,
      cooldownMs: jwksCooldownMs,
    }),
  });
}

/** The key for a token, and the algorithms accepted: those the configured secret and key set verify. */
function keysFor(
  secret: string | undefined,
  jwks: JWTVerifyGetKey | undefined,
): { keyFor: JWTVerifyGetKey; algorithms: string[] } {
  const secretKey = secret === undefined ? undefined : new TextEncoder().encode(secret);
  // The key follows the token's `alg`: HS256 only ever meets the secret, the rest only the JWKS.
  const keyFor: JWTVerifyGetKey = (header, token) => {
    if (header.alg === 'HS256' && secretKey) return secretKey;
    if (header.alg !== 'HS256' && jwks) return jwks(header, token);
    throw new errors.JOSEAlgNotAllowed(`tokens signed with ${header.alg ?? 'no algorithm'} are not accepted here`);
  };
  return { keyFor, algorithms: [...(secretKey ? ['HS256'] : []), ...(jwks ? ASYMMETRIC_ALGORITHMS : [])] };
}

/** The token's fault (`invalid`) when jose says so; any other failure is the key source's. */
function refusalOf(error: unknown): TokenRefused {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TOKEN_FAULTS.has(code))
    return new TokenRefused('invalid', describeFault(error as Error));
  const retryAfterMs = error instanceof KeySetUnavailable ? error.retryAfterMs : undefined;
  return new TokenRefused('unavailable', 'The keys that verify tokens cannot be fetched right now.', retryAfterMs);
}

/** jose's message, which names the claim or check that failed but never holds the token itself. */
function describeFault(error: Error): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is not valid.';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'The token is not a well-formed JWT.';
  if (error instanceof errors.JWKSNoMatchingKey) return 'No key of the key set matches the token.';
  return `The token is not accepted: ${error.message}.`;
}
