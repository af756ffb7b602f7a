/**
 * The rules of the VOD clients' options that differ between the APIs, declared once: each client
 * checks its options with them (a `TypeError` naming the option), and the configuration checks the
 * VOD_* variables with the same rules, naming the variable.
 */
import { DEFAULT_API3_BASE_URL } from './api3/protocol.js';
import { DEFAULT_VOD_BASE_URL, REGION_PATTERN, SIGNATURE_METHODS } from './legacy/protocol.js';

/** What is wrong with an option's value, or undefined when it may be used. */
export type OptionRule = (value: string) => string | undefined;

/** API 3.0's region names: an area and a city, with dashes (`ap-guangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`). */
export const API3_REGION_PATTERN = /^[a-z]+(-[a-z0-9]+)+$/;

/** The legacy client's rules. */
export const LEGACY_OPTION_RULES = {
  path: (value) => (value.startsWith('/') ? undefined : 'must start with "/"'),
  region: (value) => (REGION_PATTERN.test(value) ? undefined : 'must be a lower-case region code such as "gz"'),
  signatureMethod: (value) =>
    (SIGNATURE_METHODS as readonly string[]).includes(value)
      ? undefined
      : `must be one of ${SIGNATURE_METHODS.join(', ')}`,
} as const satisfies Record<string, OptionRule>;

/** The API 3.0 client's rules. */
export const API3_OPTION_RULES = {
  region: (value) =>
    API3_REGION_PATTERN.test(value)
      ? undefined
      : REGION_PATTERN.test(value)
        ? `${JSON.stringify(value)} is a legacy region code`
        : 'must be an API 3.0 region such as "ap-guangzhou"',
  baseUrl: (value) =>
    new URL(value).origin === DEFAULT_VOD_BASE_URL
      ? `is the legacy API's endpoint; API 3.0 is at ${DEFAULT_API3_BASE_URL}`
      : undefined,
} as const satisfies Record<string, OptionRule>;

/** Throws a `TypeError` naming `client`'s option when its rule finds something wrong. */
export function requireOption(client: string, option: string, rule: OptionRule, value: string | undefined): void {
  if (value === undefined) return;
  const problem = rule(value);
  if (problem) throw new TypeError(`${client}: option "${option}" ${problem}`);
}
