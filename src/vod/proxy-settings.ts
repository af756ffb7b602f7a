/**
 * The egress proxy of VOD's requests, as the standard variables give it (HTTPS_PROXY, HTTP_PROXY,
 * NO_PROXY, or their lower-case forms), checked before undici is given it: undici's own check of a
 * bad URL throws a `TypeError` whose `input` is the whole URL, password included.
 */

/** A forward proxy for VOD's requests, as the standard variables give one. */
export interface ProxySettings {
  /** For `https:` origins (HTTPS_PROXY). */
  httpsProxy?: string;
  /** For `http:` origins (HTTP_PROXY). */
  httpProxy?: string;
  /** Hosts reached directly (NO_PROXY: comma-separated, `*` for all, a leading `.` for subdomains). */
  noProxy?: string;
}

/** A proxy variable that cannot be used; the message names it and never shows a user or password. */
export class ProxyVariableError extends TypeError {
  constructor(
    readonly variable: string,
    /** Why, with the value quoted and its `user:password@` hidden. */
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ProxyVariableError';
  }
}

/** Each setting and its variable (the upper-case form is read first, then the lower-case one). */
const PROXY_VARIABLES = [
  ['httpsProxy', 'HTTPS_PROXY'],
  ['httpProxy', 'HTTP_PROXY'],
  ['noProxy', 'NO_PROXY'],
] as const;

/**
 * The proxy the standard variables set, checked, or undefined when none is. Every form that is
 * set is checked, the one not used too; a bad one throws a {@link ProxyVariableError} naming it.
 */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const settings: ProxySettings = {};
  for (const [setting, upper] of PROXY_VARIABLES) {
    for (const variable of [upper, upper.toLowerCase()]) {
      const value = env[variable];
      if (!value) continue;
      const problem = setting === 'noProxy' ? noProxyProblem(value) : proxyUrlProblem(value);
      if (problem) throw new ProxyVariableError(variable, problem);
      settings[setting] ??= value;
    }
  }
  if (!settings.httpsProxy && !settings.httpProxy) return undefined;
  return settings;
}

/**
 * Checks a client's `proxy` option as the variables are checked: a bad field is a `TypeError`
 * naming the option (undici's own error for a bad URL would hold it whole, password included).
 */
export function checkProxyOption(client: string, proxy: ProxySettings): void {
  for (const [name, value] of Object.entries(proxy)) {
    if (value === undefined) continue;
    const problem =
      typeof value !== 'string'
        ? 'must be a string'
        : name === 'noProxy'
          ? noProxyProblem(value)
          : proxyUrlProblem(value);
    if (problem) throw new TypeError(`${client}: option "proxy.${name}" ${problem}`);
  }
}

/**
 * Why a text cannot be a proxy URL (`http://` or `https://`, a host, an optional port and
 * `user:password@`), or undefined when it can. The value is quoted with its user and password hidden.
 */
export function proxyUrlProblem(text: string): string | undefined {
  const shown = quoted(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a URL: ${shown}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must be an http:// or https:// URL (such as "http://proxy.internal:3128"): ${shown}`;
  if (url.hostname === '') return `has no host: ${shown}`;
  return undefined;
}

/**
 * Why a text cannot be NO_PROXY (entries separated by commas or spaces, each `*`, a host name or
 * domain suffix, an IPv4 or IPv6 address or range, with an optional port), or undefined when it can.
 */
export function noProxyProblem(text: string): string | undefined {
  for (const entry of text.split(/[,\s]/)) {
    if (entry === '') continue;
    if (entry.length > 255 || entry.includes('://') || !NO_PROXY_ENTRY.test(entry))
      return `${quoted(entry)} is not a host name, domain or address (such as "localhost", ".example.com", "10.0.0.0/8" or "[::1]:8080")`;
  }
  return undefined;
}

/** The characters of host names, addresses, ranges, ports and wildcards: never `@`, a scheme or a path. */
const NO_PROXY_ENTRY = /^[A-Za-z0-9*._:[\]/%-]+$/;

/** Longest part of a value a message quotes. */
const SHOWN_CHARACTERS = 100;

/**
 * The value as a message quotes it: anything before its last `@` (a user and password, even one
 * the URL parser could not read) hidden, and cut short.
 */
function quoted(text: string): string {
  const at = text.lastIndexOf('@');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  const hidden = at === -1 ? text : `${scheme}[redacted]${text.slice(at)}`;
  return JSON.stringify(hidden.length > SHOWN_CHARACTERS ? `${hidden.slice(0, SHOWN_CHARACTERS)}…` : hidden);
}
