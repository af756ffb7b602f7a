/**
 * Hides the secrets of a VOD request in a text that may quote it (a VOD error message echoing the
 * signed URL, the Authorization or X-TC-Token header, or its parameters as JSON), before it reaches
 * a client or a log. One rule for both APIs: the exact values the request carried (`known`: its
 * signature and token, raw or percent-encoded) wherever they stand, and any `Signature` or `Token`
 * written as `name=value`, `name: value` or `name%3Dvalue`.
 */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let redacted = text;
  for (const secret of known) {
    // A short value could stand for ordinary words of the message; every secret we send is long.
    if (secret === undefined || secret.length < 8) continue;
    redacted = redacted.replaceAll(secret, '[redacted]').replaceAll(encodeURIComponent(secret), '[redacted]');
  }
  return redacted.replace(/\b(Signature|Token)(\s*[=:]\s*|%3D)[^&\s"'<>,;]+/gi, '$1$2[redacted]');
}

/** A URL's text with any `user:password@` replaced, for messages about a URL that must not show it. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1[redacted]@');
}
