import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { eitherSignal, startDeadline } from '../time/deadline.js';
import {
  VodAbortedError,
  VodBadResponseError,
  VodConnectionError,
  VodHttpStatusError,
  VodTimeoutError,
  VodTransportError,
} from './errors.js';
import {
  DEFAULT_RETRY_OPTIONS,
  retryAfterMs,
  retryDelay,
  shouldRetry,
  type AttemptOutcome,
  type RetryOptions,
} from './retry.js';
import { checkProxyOption, proxyFromEnv, type ProxySettings } from './proxy-settings.js';
import { readAtMost } from '../io/read-at-most.js';

export { proxyFromEnv, type ProxySettings } from './proxy-settings.js';

/**
 * What both VOD clients (legacy SmallFileUpload, API 3.0 ModifyMediaInfo) share (`createVodTransport`): the keep-alive
 * pool, the deadline over every attempt, the retry loop, the mapping of transport failures, the
 * bounded read of an answer and the reachability check.
 */

/** The transport settings both clients take. */
export interface VodTransportOptions {
  /**
   * Transport to send requests with. When absent the client owns a keep-alive `Pool` to
   * the client's `baseUrl`, closed by `close()`; an injected dispatcher is never closed by the client.
   */
  dispatcher?: Dispatcher;
  /**
   * Connections of the owned pool (ignored with `dispatcher`).
   * @default 64
   */
  connections?: number;
  /**
   * TCP/TLS connect timeout of the owned pool, in ms (ignored with `dispatcher`).
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * Time allowed until VOD's response headers arrive, per attempt, in ms. undici checks its socket
   * timeouts on a ~1 s tick; `retry.deadlineMs` is the precise bound.
   * @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Longest silence while reading VOD's response body, per attempt, in ms.
   * @default 10000
   */
  bodyTimeoutMs?: number;
  /** Retry limits; see {@link RetryOptions} for the defaults. */
  retry?: Partial<RetryOptions>;
  /**
   * The egress proxy of the owned dispatcher (ignored with `dispatcher`), or `false` for none.
   * @default the HTTPS_PROXY, HTTP_PROXY and NO_PROXY variables (or their lower-case forms)
   */
  proxy?: ProxySettings | false;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

/** What a client gives for one POST: path, headers and body (the transport sets the rest). */
export type VodPostRequest = Omit<Dispatcher.RequestOptions, 'origin' | 'method' | 'headersTimeout' | 'bodyTimeout'>;

/** An answer, and how many attempts it took. */
export interface Attempted<T> {
  answer: T;
  attempts: number;
}

/** One client's way to VOD: POST and read, with retries within the deadline, reachability, close. */
export interface VodTransport {
  /**
   * Runs `attemptOnce` (which calls `post`) until VOD's answer or failure is final, as the retry
   * options allow: the last answer and how many attempts it took. An answer is retried when it
   * says `canRetry`; a failure is thrown, its `attempts` set.
   */
  call<T extends { ok: boolean; code: number; canRetry?: boolean }>(
    attemptOnce: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<Attempted<T>>;
  /** One POST: the answer's text on status 200, else a transport error. */
  post(request: VodPostRequest, signal: AbortSignal): Promise<string>;
  reachable(timeoutMs?: number): Promise<boolean>;
  /** Closes the owned pool (not an injected dispatcher). */
  close(): Promise<void>;
}

/** The transport's options with their defaults, checked: what its POSTs and retries run on. */
interface TransportSettings {
  pool: Pool.Options & { headersTimeout: number; bodyTimeout: number };
  retry: RetryOptions;
  random: () => number;
  /** The egress proxy, from the option or the variables; undefined for direct connections. */
  proxy: ProxySettings | undefined;
}

/**
 * The transport of a client named `client` (for option errors) to `origin`: the options' defaults
 * checked once, a keep-alive pool unless a dispatcher is given.
 */
export function createVodTransport(client: string, origin: string, options: VodTransportOptions): VodTransport {
  const { pool, retry, random, proxy } = transportSettings(client, options);
  const ownsDispatcher = options.dispatcher === undefined;
  // Through a proxy undici tunnels (CONNECT) per origin; NO_PROXY's hosts go direct.
  const dispatcher =
    options.dispatcher ?? (proxy ? new EnvHttpProxyAgent({ ...pool, ...explicit(proxy) }) : new Pool(origin, pool));
  const { headersTimeout, bodyTimeout } = pool;
  return {
    call: (attemptOnce, signal) =>
      withRetries(attemptOnce, outcomeOfAnswer, { retry, random, ...(signal ? { signal } : {}) }),
    post: (request, signal) =>
      postForAnswer(dispatcher, { ...request, origin, method: 'POST', headersTimeout, bodyTimeout }, signal),
    // Behind a proxy VOD's host may not take a direct connection at all: ask through the proxy.
    reachable: (timeoutMs = 1000) => (proxy ? answers(dispatcher, origin, timeoutMs) : reachable(origin, timeoutMs)),
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/** The transport's options with their defaults, each number checked; a bad one is a `TypeError` naming it. */
function transportSettings(client: string, options: VodTransportOptions): TransportSettings {
  const {
    connections = 64,
    connectTimeoutMs = 5000,
    headersTimeoutMs = 10_000,
    bodyTimeoutMs = 10_000,
    random = Math.random,
  } = options;
  const retry: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
  const retryEntries = Object.entries(retry).map(([name, value]) => [`retry.${name}`, value] as const);
  for (const [name, value] of [
    ...Object.entries({ connections, connectTimeoutMs, headersTimeoutMs, bodyTimeoutMs }),
    ...retryEntries,
  ]) {
    if (!(Number.isInteger(value) && value >= 0))
      throw new TypeError(`${client}: option "${name}" must be a whole number ≥ 0`);
  }
  if (retry.maxAttempts < 1) throw new TypeError(`${client}: option "retry.maxAttempts" must be at least 1`);
  const proxy = options.proxy === false ? undefined : (options.proxy ?? proxyFromEnv());
  if (options.proxy) checkProxyOption(client, options.proxy);
  const pool = {
    connections,
    connect: { timeout: connectTimeoutMs },
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
  };
  return { pool, retry, random, proxy };
}

/** An answer as the retry policy sees it: retried only when it says `canRetry`. */
function outcomeOfAnswer(answer: { ok: boolean; code: number; canRetry?: boolean }): AttemptOutcome {
  return { kind: 'answer', code: answer.code, canRetry: answer.ok ? 0 : answer.canRetry ? 1 : 0 };
}

/**
 * Every field of the settings given, so that undici reads no variable of its own (unchecked, and
 * lower-case first): what it would do without them, said explicitly (`''` is none, direct).
 */
function explicit(proxy: ProxySettings): Required<ProxySettings> {
  return {
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? proxy.httpProxy ?? '',
    noProxy: proxy.noProxy ?? '',
  };
}

/**
 * Runs `attemptOnce` until its outcome is final, within `retry.deadlineMs` over all attempts and
 * waits (jittered backoff between them). Resolves with the last answer and the attempts made, or
 * throws the last transport error, which says how many.
 */
async function withRetries<T>(
  attemptOnce: (signal: AbortSignal) => Promise<T>,
  outcomeOf: (answer: T) => AttemptOutcome,
  options: { retry: RetryOptions; random: () => number; signal?: AbortSignal },
): Promise<Attempted<T>> {
  const { retry, random } = options;
  const deadlineAt = Date.now() + retry.deadlineMs;
  // One deadline for every attempt, its timer cleared as soon as the call settles (a timer left
  // armed for the whole deadline after each call piles up under load).
  const deadline = startDeadline(retry.deadlineMs, 'VOD deadline');
  const signal = eitherSignal(options.signal, deadline.signal);
  try {
    for (let attempt = 1; ; attempt++) {
      let outcome: AttemptOutcome;
      let result: T | undefined;
      try {
        result = await attemptOnce(signal);
        outcome = outcomeOf(result);
      } catch (error) {
        const transport = error instanceof VodTransportError ? error : toTransportError(error, signal);
        transport.attempts = attempt;
        outcome = { kind: 'error', error: transport };
      }
      const wait = retryDelay(outcome, attempt, retry, random);
      const retryable = shouldRetry(outcome, attempt, retry) && Date.now() + wait < deadlineAt;
      if (!retryable) {
        if (result) return { answer: result, attempts: attempt };
        throw (outcome as { error: unknown }).error;
      }
      await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {
        throw Object.assign(new VodAbortedError(), { attempts: attempt });
      });
    }
  } finally {
    deadline.clear();
  }
}

/** Largest VOD answer read, in bytes (either API's JSON is a few hundred). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One POST to VOD: resolves with the answer's text when the status is 200; throws the transport
 * error otherwise (no answer, another status, a body too long or cut short).
 */
async function postForAnswer(
  dispatcher: Dispatcher,
  request: Dispatcher.RequestOptions,
  signal: AbortSignal,
): Promise<string> {
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({ ...request, method: 'POST', signal });
  } catch (error) {
    throw toTransportError(error, signal);
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw new VodHttpStatusError(response.statusCode, retryAfterMs(response.headers['retry-after']));
  }
  try {
    const body = await readAtMost(response.body, MAX_RESPONSE_BYTES);
    if (!body) throw new VodBadResponseError(`body longer than ${MAX_RESPONSE_BYTES} bytes`);
    return body.toString('utf8');
  } catch (error) {
    throw toTransportError(error, signal);
  }
}

/** undici's failure, or our deadline, as the transport error the upload path maps to a result. */
function toTransportError(error: unknown, signal: AbortSignal): VodTransportError {
  if (error instanceof VodTransportError) return error;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof DOMException && reason.name === 'TimeoutError'
      ? new VodTimeoutError('deadline', { cause: error })
      : new VodAbortedError();
  }
  switch ((error as { code?: unknown } | null)?.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new VodTimeoutError('connect', { cause: error });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new VodTimeoutError('headers', { cause: error });
    case 'UND_ERR_BODY_TIMEOUT':
      return new VodTimeoutError('body', { cause: error });
    default:
      return new VodConnectionError({ cause: error });
  }
}

/** Whether the origin answers a HEAD (any status) through the dispatcher within the time (readiness behind a proxy). */
async function answers(dispatcher: Dispatcher, origin: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await dispatcher.request({
      origin,
      path: '/',
      method: 'HEAD',
      headersTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body.dump();
    return true;
  } catch {
    return false;
  }
}

/** Whether a TCP connection to the origin's host can be opened now (readiness checks). */
function reachable(origin: string, timeoutMs = 1000): Promise<boolean> {
  const target = new URL(origin);
  return new Promise((resolve) => {
    // URL hostnames keep an IPv6 address's brackets; net.connect wants it bare.
    const socket = connect({
      host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
      timeout: timeoutMs,
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
