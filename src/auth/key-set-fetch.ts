/**
 * How the JWKS is fetched (jose's `customFetch`): one deadline for the whole fetch, body included;
 * at most `maxBytes` read; a failure remembered for the cool-down, so a burst of tokens while the
 * key set is down costs one fetch, not one each. jose itself keeps one fetch in flight.
 */
import { readAtMost } from '../io/read-at-most.js';
import { eitherSignal } from '../time/deadline.js';

/** Options of {@link createKeySetFetch}. */
export interface KeySetFetchOptions {
  /** Longest time for the whole fetch, headers and body, in ms. */
  timeoutMs: number;
  /** Largest key set read, in bytes. */
  maxBytes: number;
  /** How long a failed fetch is remembered (every token then gets 503 at once), in ms. */
  cooldownMs: number;
  /** Clock, in ms. @default Date.now */
  now?: () => number;
}

/** The key set could not be fetched; `retryAfterMs` says when it will be tried again. */
export class KeySetUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'KeySetUnavailable';
  }
}

/** A fetch for jose's `customFetch`, bounded as {@link KeySetFetchOptions} says. */
export function createKeySetFetch(options: KeySetFetchOptions): (url: string, init: RequestInit) => Promise<Response> {
  const { timeoutMs, maxBytes, cooldownMs, now = Date.now } = options;
  let failedUntil = 0;
  let lastFailure = '';

  return async (url, init) => {
    if (now() < failedUntil)
      throw new KeySetUnavailable(`the key set failed a moment ago (${lastFailure})`, failedUntil - now());
    const signal = eitherSignal(init.signal ?? undefined, AbortSignal.timeout(timeoutMs));
    try {
      const response = await fetch(url, { ...init, signal });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      const text = await keySetText(response, maxBytes);
      const keys = (JSON.parse(text) as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(keys)) throw new Error('not a JSON Web Key Set');
      return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (error) {
      lastFailure = signal.aborted ? `no key set within ${timeoutMs} ms` : (error as Error).message;
      failedUntil = now() + cooldownMs;
      throw new KeySetUnavailable(`the key set cannot be fetched (${lastFailure})`, cooldownMs);
    }
  };
}

/** The key set's text, refused past `maxBytes` (by its declared length, or as soon as it passes them). */
async function keySetText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`a key set of ${declared} bytes, more than the ${maxBytes} accepted`);
  }
  const bytes = await readAtMost(response.body, maxBytes);
  if (!bytes) throw new Error(`a key set longer than the ${maxBytes} bytes accepted`);
  return bytes.toString('utf8');
}

/**
 * Ports the Fetch standard forbids (https://fetch.spec.whatwg.org/#port-blocking): fetch() fails
 * at once for a URL on one of them, so a key set there could never be fetched.
 */
const BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a text cannot be the JWKS URL, or undefined when it can: https, or plain http on loopback
 * only (keys fetched in the clear could be swapped on the way), and a port fetch() will connect to.
 */
export function keySetUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be an http(s) URL, got ${JSON.stringify(text)}`;
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return `must be https:, or http: on loopback (127.0.0.1, ::1, localhost), got ${JSON.stringify(text)}`;
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (BLOCKED_PORTS.has(port))
    return `port ${port} is one that fetch() refuses to connect to (the Fetch standard's blocked ports): the key set could never be fetched`;
  return undefined;
}
