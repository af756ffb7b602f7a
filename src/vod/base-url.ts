import { redactUrlCredentials } from './redact.js';

/**
 * Why a text cannot be the VOD base URL (scheme, host and optional port, nothing else), or
 * undefined when it can. One rule for `VOD_BASE_URL` and both clients' `baseUrl`; the value
 * is quoted with any `user:password@` hidden.
 */
export function vodBaseUrlProblem(text: string): string | undefined {
  const shown = JSON.stringify(redactUrlCredentials(text));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a URL: ${shown}`;
  }
  if (url.username !== '' || url.password !== '')
    return `must not hold credentials (user:password@), VOD authenticates by signature: ${shown}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be http: or https:: ${shown}`;
  if (url.pathname !== '/' || url.search !== '')
    return `must be scheme://host[:port] only, with no path or query (the path is a setting of its own): ${shown}`;
  return undefined;
}
