import type { JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';

/** Options of {@link createVerifiedTokens}. */
export interface VerifiedTokensOptions {
  /**
   * Most tokens remembered; the least recently used goes first.
   * @default 1000
   */
  max?: number;
  /**
   * Longest time a verified token is taken without verifying it again, in ms: a key withdrawn
   * from the JWKS stops being honoured within this (jose keeps a fetched key set 10 minutes).
   * @default 60000
   */
  ttlMs?: number;
}

export const VERIFIED_TOKENS_DEFAULTS = { max: 1000, ttlMs: 60_000 } as const;

/**
 * Tokens already verified, by their whole text (signature included, so no other token matches):
 * a client sends the same bearer token with each upload, and a signature check costs about
 * 150 µs of CPU per request in jose (WebCrypto), a quarter of an upload's. Each entry is dropped
 * by its `exp` (less the clock tolerance) at the latest, and `exp` is checked again on every use.
 */
export function createVerifiedTokens(options: VerifiedTokensOptions, clockToleranceSeconds: number) {
  const { max = VERIFIED_TOKENS_DEFAULTS.max, ttlMs = VERIFIED_TOKENS_DEFAULTS.ttlMs } = options;
  const cache = new LRUCache<string, JWTPayload>({ max, ttl: ttlMs, ttlAutopurge: false });
  const expiresAtMs = (claims: JWTPayload) => ((claims.exp ?? 0) + clockToleranceSeconds) * 1000;
  return {
    /** The claims of a token verified before and not expired since, else undefined. */
    get(token: string): JWTPayload | undefined {
      const claims = cache.get(token);
      if (claims === undefined) return undefined;
      if (Date.now() < expiresAtMs(claims)) return claims;
      cache.delete(token);
      return undefined;
    },
    remember(token: string, claims: JWTPayload): void {
      const left = expiresAtMs(claims) - Date.now();
      if (left > 0) cache.set(token, claims, { ttl: Math.min(ttlMs, left) });
    },
  };
}
