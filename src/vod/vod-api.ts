import { createApi3VodClient, type Api3VodClientOptions } from './api3/client.js';
import { API3_COVER_TYPES } from './api3/protocol.js';
import { createLegacyVodClient, type LegacyVodClientOptions } from './legacy/client.js';
import { LEGACY_COVER_TYPES } from './legacy/protocol.js';
import type { CoverType } from './cover-rules.js';
import type { VodCallBudget } from './call-budget.js';
import type { VodClient } from './vod-client.js';

/** Which VOD API covers go to: `legacy` (SmallFileUpload) or `v3` (API 3.0's ModifyMediaInfo). */
export type VodApi = 'legacy' | 'v3';
export const VOD_APIS: readonly VodApi[] = ['legacy', 'v3'];

/** The cover types an API takes, by extension (API 3.0's CoverData takes no webp or bmp). */
export function coverTypesOf(api: VodApi): readonly CoverType[] {
  return api === 'v3' ? API3_COVER_TYPES : LEGACY_COVER_TYPES;
}

/** Options only one API's client takes: given for the other, they would be ignored, not obeyed. */
const OPTIONS_OF_ONE_API: readonly [option: string, api: VodApi][] = [
  ['path', 'legacy'],
  ['signatureMethod', 'legacy'],
  ['subAppId', 'v3'],
];

/**
 * A client for `api`, made from its options. An option of the other API's client is refused by
 * name: legacy options (`path`, `signatureMethod`) without `vodApi: 'legacy'` would otherwise go
 * to API 3.0, the default, and be silently dropped.
 */
export function createClientFor(api: VodApi, options: LegacyVodClientOptions | Api3VodClientOptions): VodClient {
  for (const [option, its] of OPTIONS_OF_ONE_API) {
    if (its !== api && (options as Record<string, unknown>)[option] !== undefined)
      throw new TypeError(
        its === 'legacy'
          ? `option "vod.${option}" is the legacy API's: set vodApi: 'legacy' to send covers with SmallFileUpload (covers go to API 3.0 by default)`
          : `option "vod.${option}" is API 3.0's: vodApi: 'legacy' has no sub-applications`,
      );
  }
  return api === 'v3'
    ? createApi3VodClient(options as Api3VodClientOptions)
    : createLegacyVodClient(options as LegacyVodClientOptions);
}

/** Whether `value` is a client already, rather than the options to make one. */
export function isClient(value: object): value is VodClient {
  return typeof (value as VodClient).setCover === 'function';
}

/** The gateway's `vod` option: a client of the caller's (which it leaves open), or the options to make one. */
export type VodOption = VodClient | LegacyVodClientOptions | Api3VodClientOptions;

/**
 * Covers go to API 3.0 unless said otherwise: the legacy SmallFileUpload was taken offline by the
 * vendor in November 2022 (`legacy` still speaks it, for accounts and deployments that have it).
 */
export const DEFAULT_VOD_API: VodApi = 'v3';

/** The client a gateway sends covers with, for `api`: the caller's, or one it makes (and closes). */
export function openVodClient(
  option: VodOption,
  api: VodApi = DEFAULT_VOD_API,
  budget?: VodCallBudget,
): { client: VodClient; api: VodApi; close(): Promise<void> } {
  if (isClient(option)) return { client: option, api, close: async () => undefined };
  // Every attempt of the client it makes takes its turn of the account's call rate.
  const client = createClientFor(api, budget ? { ...option, budget } : option);
  return { client, api, close: () => client.close() };
}
