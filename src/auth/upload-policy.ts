import type { JWTPayload } from 'jose';

/** The scope an upload needs by default; the schema's `@requiresScopes` names it too. */
export const UPLOAD_SCOPE = 'covers:write';

/** A per-video rule: may the caller with these claims change this video's cover? */
export type AuthorizeUpload = (input: {
  claims: JWTPayload | undefined;
  videoFileId: string;
}) => boolean | Promise<boolean>;

/**
 * Why an upload was not allowed: the token lacks the scope, the rule said no, or the rule failed
 * (asking again may help).
 */
export type UploadRefusal =
  | { why: 'scope'; scope: string }
  | { why: 'rule'; videoFileId: string }
  | { why: 'rule-failed' };

/** Decides one upload before its file is read: undefined when it may go on. */
export type UploadPolicy = (claims: JWTPayload | undefined, videoFileId: string) => Promise<UploadRefusal | undefined>;

/** Options of {@link createUploadPolicy}. */
export interface UploadPolicyOptions {
  /**
   * Scope an authenticated caller's token must list (its `scope` claim, space-separated), or
   * `false` for none. Without authentication there are no claims and it is not checked.
   * @default 'covers:write'
   */
  requiredScope?: string | false | undefined;
  /**
   * A per-video rule, run after the scope check (with `claims` undefined when authentication is
   * off). A rule that throws refuses the upload with `canRetry: true`, and `onRuleError` is told.
   * @default undefined (every video)
   */
  authorizeUpload?: AuthorizeUpload | undefined;
  /** Told when `authorizeUpload` throws (logs). */
  onRuleError?: (error: unknown) => void;
}

/**
 * The scopes a token lists: its `scope` claim (RFC 8693 §4.2, space-separated), or, when it has
 * none, an `scp` list of strings (how Okta and Microsoft Entra ID issue them).
 */
export function scopesOf(claims: JWTPayload): string[] {
  const { scope, scp } = claims as { scope?: unknown; scp?: unknown };
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** The scope check and the per-video rule, in that order. */
export function createUploadPolicy(options: UploadPolicyOptions = {}): UploadPolicy {
  const { requiredScope = UPLOAD_SCOPE, authorizeUpload, onRuleError } = options;
  return async (claims, videoFileId) => {
    if (claims && requiredScope !== false && !scopesOf(claims).includes(requiredScope)) {
      return { why: 'scope', scope: requiredScope };
    }
    if (!authorizeUpload) return undefined;
    let allowed: boolean;
    try {
      allowed = await authorizeUpload({ claims, videoFileId });
    } catch (error) {
      onRuleError?.(error);
      return { why: 'rule-failed' };
    }
    return allowed === true ? undefined : { why: 'rule', videoFileId };
  };
}
