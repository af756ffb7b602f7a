/**
 * The memory of verified bearer tokens (src/auth/verified-tokens.ts): what it gives back, and
 * every bound that ends an entry (its token's exp, its time to live, the number kept).
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../../src/auth/jwt-verifier.js';
import { createVerifiedTokens } from '../../src/auth/verified-tokens.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!';
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('verified tokens', () => {
  it('gives back the claims of a remembered token, and nothing for a token it was not given', () => {
    const tokens = createVerifiedTokens({}, 0);
    tokens.remember('token-a', { sub: 'a', exp: now() + 60 });
    expect(tokens.get('token-a')).toEqual({ sub: 'a', exp: now() + 60 });
    expect(tokens.get('token-a-but-another-signature')).toBeUndefined();
  });

  it('forgets a token once its exp (plus the clock tolerance) has passed', async () => {
    const tokens = createVerifiedTokens({}, 1);
    tokens.remember('soon', { exp: now() });
    expect(tokens.get('soon')).toBeDefined();
    await sleep(2100);
    expect(tokens.get('soon')).toBeUndefined();
  });

  it('does not remember a token that has already expired', () => {
    const tokens = createVerifiedTokens({}, 0);
    tokens.remember('old', { exp: now() - 1 });
    expect(tokens.get('old')).toBeUndefined();
  });

  it('forgets a token after ttlMs even when it is valid much longer', async () => {
    const tokens = createVerifiedTokens({ ttlMs: 100 }, 0);
    tokens.remember('long', { exp: now() + 3600 });
    await sleep(150);
    expect(tokens.get('long')).toBeUndefined();
  });

  it('keeps at most max tokens, forgetting the least recently used', () => {
    const tokens = createVerifiedTokens({ max: 2 }, 0);
    const claims = { exp: now() + 60 };
    tokens.remember('one', claims);
    tokens.remember('two', claims);
    tokens.get('one');
    tokens.remember('three', claims);
    expect(['one', 'two', 'three'].map((t) => tokens.get(t) !== undefined)).toEqual([true, false, true]);
  });
});

describe('createJwtVerifier with its memory of verified tokens', () => {
  const sign = (exp: number) =>
    new SignJWT({ scope: 'covers:write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));

  // jose builds a new claims object on each verification, so the same object twice means the
  // second request took the remembered claims and was not verified again.
  it('answers a repeated token from memory, and verifies it each time with verifiedTokens: false', async () => {
    const token = await sign(now() + 60);
    const remembering = createJwtVerifier({ secret: SECRET });
    expect(await remembering(token)).toBe(await remembering(token));
    const forgetting = createJwtVerifier({ secret: SECRET, verifiedTokens: false });
    const [first, second] = [await forgetting(token), await forgetting(token)];
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });

  it('refuses a token it accepted before, once the token has expired', async () => {
    const verify = createJwtVerifier({ secret: SECRET, clockToleranceSeconds: 0 });
    // Two seconds ahead: `exp` is whole seconds, and the two checks must fall before it.
    const exp = now() + 2;
    const token = await sign(exp);
    await expect(verify(token)).resolves.toMatchObject({ scope: 'covers:write' });
    await expect(verify(token)).resolves.toMatchObject({ scope: 'covers:write' });
    await sleep(exp * 1000 - Date.now() + 100);
    await expect(verify(token)).rejects.toMatchObject({ kind: 'invalid', message: 'The token has expired.' });
  });
});
