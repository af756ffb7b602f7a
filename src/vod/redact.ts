/**
 * Hides the secret values of a signed VOD query (`Signature`, `Token`) in a text, such as a VOD
 * error message that echoes the request URL, before it reaches a client or a log.
 */
export function redactSignedQuery(text: string): string {
  return text.replace(/\b(Signature|Token)(=|%3D)[^&\s"'<>]*/gi, '$1$2[redacted]');
}

/** A URL's text with any `user:password@` replaced, for messages about a URL that must not show it. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1[redacted]@');
}
