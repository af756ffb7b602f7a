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

/**
 * The query parameters of a signed VOD request that carry a credential: the legacy API signs in
 * the URL (docs/vod-protocol.md §1–§2); API 3.0 signs in headers and sends none of them.
 */
export const CREDENTIAL_PARAMETERS: readonly string[] = ['SecretId', 'Signature', 'Token'];

/**
 * A URL's query (with or without its `?`) with the value of every {@link CREDENTIAL_PARAMETERS}
 * pair replaced by `replacement`, every other pair as sent. A name is compared decoded and in any
 * case (`signature=`, `Sign%61ture=`), as a lenient server would read it.
 *
 * @example redactQuery('?Action=SmallFileUpload&SecretId=AKID…&Signature=abc%3D', 'REDACTED')
 * // '?Action=SmallFileUpload&SecretId=REDACTED&Signature=REDACTED'
 */
export function redactQuery(query: string, replacement = '[redacted]'): string {
  const mark = query.startsWith('?') ? '?' : '';
  return (
    mark +
    query
      .slice(mark.length)
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        if (equals === -1 || !isCredentialName(pair.slice(0, equals))) return pair;
        return `${pair.slice(0, equals)}=${replacement}`;
      })
      .join('&')
  );
}

const CREDENTIAL_NAMES = new Set(CREDENTIAL_PARAMETERS.map((name) => name.toLowerCase()));

function isCredentialName(encoded: string): boolean {
  let name = encoded;
  try {
    name = decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    // A malformed escape: compared as written.
  }
  return CREDENTIAL_NAMES.has(name.trim().toLowerCase());
}
