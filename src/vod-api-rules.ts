/**
 * What each VOD API makes of the VOD_* settings that differ between API 3.0 and the legacy API:
 * per setting, each API's check of the value set, used as the settings table's `check` once
 * VOD_API is read; and each API's values for the settings left unset (with credentials only: the
 * embedded emulator takes none). A value's rule is the VOD client's own (vod/option-rules.ts),
 * named here by the variable; what is added here is only what the variables say of the API in use
 * (a setting the API does not have is refused, naming it and VOD_API).
 */
import { ConfigError, type Reader } from './env-readers.js';
import { DEFAULT_API3_BASE_URL } from './vod/api3/protocol.js';
import { DEFAULT_REGION, DEFAULT_VOD_BASE_URL, VOD_PATHS } from './vod/legacy/protocol.js';
import { API3_OPTION_RULES, LEGACY_OPTION_RULES, type OptionRule } from './vod/option-rules.js';
import { DEFAULT_VOD_API, VOD_APIS, type VodApi } from './vod/vod-api.js';

/** Throws a ConfigError naming `variable` when its value cannot be used with one API; `apiInUse` names the API. */
type ApiCheck = (variable: string, value: unknown, apiInUse: string) => void;

/** Each API's check of one setting (none: the API takes any value the setting's reader took). */
type ApiRules = Readonly<Partial<Record<VodApi, ApiCheck>>>;

/** The values of the settings left unset, by API (a remote VOD's; the embedded emulator takes none). */
export const API_DEFAULTS = {
  v3: { baseUrl: DEFAULT_API3_BASE_URL },
  legacy: { baseUrl: DEFAULT_VOD_BASE_URL, region: DEFAULT_REGION, path: VOD_PATHS[0], signatureMethod: 'HmacSHA1' },
} as const satisfies Record<VodApi, object>;

/** A settings-table check: the rule of the API the `vod` group's VOD_API (read before) chooses. */
const underApi =
  (rules: ApiRules) =>
  (variable: string, value: unknown, vod: Readonly<Record<string, unknown>>): void => {
    const chosen = vod.api as VodApi | undefined;
    rules[chosen ?? DEFAULT_VOD_API]?.(variable, value, apiInUseOf(chosen));
  };

/** How messages call the API in use: the operator's choice, or the default. */
export function apiInUseOf(chosen: VodApi | undefined): string {
  return chosen === undefined ? 'API 3.0 (the default without VOD_API)' : `VOD_API=${chosen}`;
}

/** VOD_API: which API covers go to. */
export const vodApi: Reader<VodApi> = (variable, value) => {
  if (!VOD_APIS.includes(value as VodApi))
    throw new ConfigError(
      variable,
      `must be "v3" (API 3.0, the default) or "legacy" (SmallFileUpload), got ${JSON.stringify(value)}`,
    );
  return value as VodApi;
};

/** The VOD client's own rule for the option a variable sets, its problem naming the variable (and the value, `quoted`). */
function ruleOf(rule: OptionRule, variable: string, value: unknown, { quoted }: { quoted: boolean }): void {
  const problem = rule(String(value));
  if (problem) throw new ConfigError(variable, quoted ? `${problem}, got ${JSON.stringify(value)}` : problem);
}

/** A setting only the legacy API has: API 3.0 would ignore it, so it is refused. */
const legacyOnly: ApiCheck = (variable, _value, apiInUse) => {
  throw new ConfigError(
    variable,
    `is a legacy API setting (VOD_API=legacy); ${apiInUse} always posts to / and signs with TC3-HMAC-SHA256`,
  );
};

/** VOD_BASE_URL: API 3.0 refuses the legacy API's endpoint (its calls would go nowhere). */
export const baseUrlUnderApi = underApi({
  v3: (variable, value, apiInUse) => {
    if (API3_OPTION_RULES.baseUrl(String(value)))
      throw new ConfigError(
        variable,
        `is the legacy API's endpoint (VOD_API=legacy); ${apiInUse} is at ${DEFAULT_API3_BASE_URL} (unset VOD_BASE_URL for it)`,
      );
  },
});

/** VOD_REGION: API 3.0's `ap-guangzhou` (X-TC-Region, needed by none: VOD is not regional), the legacy API's `gz`. */
export const regionUnderApi = underApi({
  v3: (variable, value, apiInUse) => {
    const region = String(value);
    const problem = API3_OPTION_RULES.region(region);
    if (!problem) return;
    throw new ConfigError(
      variable,
      problem.endsWith('is a legacy region code')
        ? `${JSON.stringify(region)} is a legacy region code (VOD_API=legacy); ${apiInUse} takes regions such as "ap-guangzhou", and needs none (VOD is not regional)`
        : `must be an API 3.0 region such as "ap-guangzhou", or unset (VOD is not regional), got ${JSON.stringify(region)}`,
    );
  },
  legacy: (variable, value) => ruleOf(LEGACY_OPTION_RULES.region, variable, value, { quoted: true }),
});

/** VOD_PATH: the legacy API's (API 3.0 always posts to /). */
export const pathUnderApi = underApi({
  v3: legacyOnly,
  legacy: (variable, value) => ruleOf(LEGACY_OPTION_RULES.path, variable, value, { quoted: true }),
});

/** VOD_SIGNATURE_METHOD: the legacy API's (API 3.0 always signs with TC3-HMAC-SHA256). */
export const signatureMethodUnderApi = underApi({
  v3: legacyOnly,
  legacy: (variable, value) => ruleOf(LEGACY_OPTION_RULES.signatureMethod, variable, value, { quoted: false }),
});

/** VOD_SUB_APP_ID: API 3.0's (SmallFileUpload has no sub-applications). */
export const subAppIdUnderApi = underApi({
  legacy: (variable) => {
    throw new ConfigError(
      variable,
      'is an API 3.0 setting, but VOD_API is "legacy" (SmallFileUpload has no sub-applications)',
    );
  },
});
