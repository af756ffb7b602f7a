import { vodBaseUrlProblem } from './base-url.js';
import type { VodCallBudget } from './call-budget.js';
import { credentialSourceOf, type CredentialSource } from './credentials.js';
import { createVodTransport, type VodPostRequest, type VodTransport } from './transport.js';
import type {
  OwnedVodClient,
  SetCoverFailure,
  SetCoverInput,
  SetCoverResult,
  VodAnswer,
  VodClientBaseOptions,
  VodCredentials,
} from './vod-client.js';
import { VodTransportError } from './errors.js';

/**
 * The one skeleton both VOD clients (legacy SmallFileUpload, API 3.0 ModifyMediaInfo) are made on:
 * credentials → base URL → the API's own options → transport; then, per call, attempts through the
 * transport's retry loop, one more call after a credential rotation, and `reachable`/`close`. An API
 * brings only what is its own ({@link VodApiSpeech}): its signing, its request and its parser.
 */

/** One attempt's request, signed, and the secrets it carries (redacted from VOD's echo of them). */
export interface SignedRequest {
  request: VodPostRequest;
  secrets: readonly (string | undefined)[];
}

/**
 * What one VOD API brings to the skeleton. `Prepared` is what every attempt of one call sends
 * alike, made once per call (API 3.0's JSON with the base64 cover); signing is per attempt.
 */
export interface VodApiSpeech<Prepared> {
  /** What the attempts of a call share. */
  prepare(input: SetCoverInput): Prepared;
  /** One attempt's request, signed afresh (a current timestamp, a new nonce) with `credentials`. */
  sign(input: SetCoverInput, prepared: Prepared, credentials: VodCredentials): SignedRequest;
  /** VOD's answer (status 200) read; throws a `VodBadResponseError` for one that cannot be. */
  parse(text: string, input: SetCoverInput, secrets: SignedRequest['secrets']): VodAnswer;
  /** Whether VOD refused the signature itself: after a rotation, worth fresh credentials and one more call. */
  refusesSignature(failure: Omit<SetCoverFailure, 'attempts'>): boolean;
}

/** What the skeleton reads of a client's options: credentials, transport and the base URL. */
export interface SkeletonOptions extends VodClientBaseOptions {
  /** Scheme, host and optional port of the endpoint; the API's own when absent. */
  baseUrl?: string;
}

/** The API's speech, the credentials it signs with and the transport it sends over. */
interface ClientParts<Prepared> {
  api: VodApiSpeech<Prepared>;
  credentials: CredentialSource;
  transport: VodTransport;
  budget: VodCallBudget | undefined;
}

/**
 * A client named `client` (in option errors) on the skeleton: the options are checked in the order
 * credentials, `baseUrl` (default `defaultBaseUrl`), the API's own (`speechFor`, given the origin),
 * the transport's.
 */
export function createClientOnSkeleton<Prepared>(
  client: string,
  options: SkeletonOptions,
  defaultBaseUrl: string,
  speechFor: (origin: URL) => VodApiSpeech<Prepared>,
): OwnedVodClient {
  const credentials = credentialSourceOf(client, options);
  const origin = originOf(client, options.baseUrl ?? defaultBaseUrl);
  const api = speechFor(new URL(origin));
  const transport = createVodTransport(client, origin, options);
  const parts: ClientParts<Prepared> = { api, credentials, transport, budget: options.budget };
  return {
    setCover: (input) => setCover(parts, input),
    reachable: readyToCall(credentials, transport.reachable),
    close: transport.close,
    [Symbol.asyncDispose]: transport.close,
  };
}

/** The endpoint's origin, or a `TypeError` naming the option. */
function originOf(client: string, baseUrl: string): string {
  const problem = vodBaseUrlProblem(baseUrl);
  if (problem) throw new TypeError(`${client}: option "baseUrl" ${problem}`);
  return new URL(baseUrl).origin;
}

/**
 * One cover, through the transport's retries. Refused right after a rotation: the credentials are
 * read again, and the call is made once more with new ones.
 */
async function setCover<Prepared>(parts: ClientParts<Prepared>, input: SetCoverInput): Promise<SetCoverResult> {
  const { api, credentials, transport, budget } = parts;
  const prepared = api.prepare(input);
  let used: VodCredentials | undefined;
  let given = input.turn;
  const attempt = async (signal: AbortSignal): Promise<VodAnswer> => {
    // Every call VOD sees takes a turn of the account's rate: retries and the call after a rotation too.
    const turn = given ?? (await budget?.take(signal));
    given = undefined;
    const signingWith = await credentials.current(signal);
    used = signingWith;
    const signed = api.sign(input, prepared, signingWith);
    turn?.sent();
    const text = await transport.post(signed.request, signal);
    return api.parse(text, input, signed.secrets);
  };
  const first = await transport.call(attempt, input.signal);
  if (
    first.answer.ok ||
    !api.refusesSignature(first.answer) ||
    !used ||
    !(await credentials.refused(used, input.signal))
  )
    return { ...first.answer, attempts: first.attempts };
  // Every attempt counts, those of the call before the rotation too.
  try {
    const again = await transport.call(attempt, input.signal);
    return { ...again.answer, attempts: first.attempts + again.attempts };
  } catch (error) {
    if (error instanceof VodTransportError) error.attempts += first.attempts;
    throw error;
  }
}

/**
 * A client's readiness check: VOD's host answers (`reachable`) and there is something to sign
 * with, both asked at once, each within `timeoutMs`.
 */
function readyToCall(
  credentials: CredentialSource,
  reachable: (timeoutMs?: number) => Promise<boolean>,
): (timeoutMs?: number) => Promise<boolean> {
  return async (timeoutMs = 1000) => {
    const [signing, answering] = await Promise.all([credentials.available(timeoutMs), reachable(timeoutMs)]);
    return signing && answering;
  };
}
