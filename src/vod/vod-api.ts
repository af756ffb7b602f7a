import { createApi3VodClient, type Api3VodClientOptions } from './api3/client.js';
import { API3_COVER_TYPES } from './api3/protocol.js';
import { createLegacyVodClient, type LegacyVodClientOptions } from './legacy/client.js';
import { LEGACY_COVER_TYPES } from './legacy/protocol.js';
import type { CoverType } from './cover-rules.js';
import type { SetCoverInput, SetCoverResult, VodClient } from './vod-client.js';

/** Which VOD API covers go to: `legacy` (SmallFileUpload) or `v3` (API 3.0's ModifyMediaInfo). */
export type VodApi = 'legacy' | 'v3';
export const VOD_APIS: readonly VodApi[] = ['legacy', 'v3'];

/** The cover types an API takes, by extension (API 3.0's CoverData takes no webp or bmp). */
export function coverTypesOf(api: VodApi): readonly CoverType[] {
  return api === 'v3' ? API3_COVER_TYPES : LEGACY_COVER_TYPES;
}

/** A client for `api`, made from its options. */
export function createClientFor(api: VodApi, options: LegacyVodClientOptions | Api3VodClientOptions): VodClient {
  return api === 'v3'
    ? createApi3VodClient(options as Api3VodClientOptions)
    : createLegacyVodClient(options as LegacyVodClientOptions);
}

/**
 * A client of the release before, whose one method was named for the legacy action.
 * @deprecated Implement {@link VodClient} (`setCover`); this shape is taken for one more release.
 */
export interface SmallFileUploadClient {
  smallFileUpload(input: SetCoverInput): Promise<SetCoverResult>;
  reachable?(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Whether `value` is a client already (either shape), rather than the options to make one. */
export function isClient(value: object): value is VodClient | SmallFileUploadClient {
  return (
    typeof (value as VodClient).setCover === 'function' ||
    typeof (value as SmallFileUploadClient).smallFileUpload === 'function'
  );
}

/** A client of either shape as a {@link VodClient}. */
export function asVodClient(client: VodClient | SmallFileUploadClient): VodClient {
  if ('setCover' in client) return client;
  return {
    setCover: (input) => client.smallFileUpload(input),
    ...(client.reachable ? { reachable: (timeoutMs?: number) => client.reachable!(timeoutMs) } : {}),
    close: () => client.close(),
  };
}

/** The gateway's `vod` option: a client of the caller's (which it leaves open), or the options to make one. */
export type VodOption = VodClient | SmallFileUploadClient | LegacyVodClientOptions | Api3VodClientOptions;

/** Covers go to the legacy API unless said otherwise. */
export const DEFAULT_VOD_API: VodApi = 'legacy';

/** The client a gateway sends covers with, for `api`: the caller's, or one it makes (and closes). */
export function openVodClient(
  option: VodOption,
  api: VodApi = DEFAULT_VOD_API,
): { client: VodClient; api: VodApi; close(): Promise<void> } {
  if (isClient(option)) return { client: asVodClient(option), api, close: async () => undefined };
  const client = createClientFor(api, option);
  return { client, api, close: () => client.close() };
}
