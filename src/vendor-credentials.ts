import { ConfigError } from './env-readers.js';
import { variableOf } from './env-source.js';

/**
 * The vendor's own credential variables, as its SDKs and its CLI (tccli) read them, under the
 * `VOD_*` name each stands for.
 */
export const VENDOR_CREDENTIAL_VARIABLES = {
  VOD_SECRET_ID: 'TENCENTCLOUD_SECRET_ID',
  VOD_SECRET_KEY: 'TENCENTCLOUD_SECRET_KEY',
  VOD_TOKEN: 'TENCENTCLOUD_SESSION_TOKEN',
} as const;

type OwnName = keyof typeof VENDOR_CREDENTIAL_VARIABLES;
const OWN_NAMES = Object.keys(VENDOR_CREDENTIAL_VARIABLES) as OwnName[];

/** Which variables the credentials were taken from: the service's own, or the vendor's. */
export type CredentialVariables = 'VOD_SECRET_ID/VOD_SECRET_KEY' | 'TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY';

/**
 * The environment with the vendor's credential variables standing for the `VOD_*` ones when no
 * `VOD_SECRET_ID`/`VOD_SECRET_KEY` (nor their `_FILE`) is set: the `VOD_*` ones win, as a pair, so
 * that a key is never paired with another family's id. Every variable is still read through `env`
 * (a view, not a copy). `from` says which pair is in use, undefined when neither is set.
 */
export function withVendorCredentials(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  from: CredentialVariables | undefined;
} {
  const own = ['VOD_SECRET_ID', 'VOD_SECRET_ID_FILE', 'VOD_SECRET_KEY', 'VOD_SECRET_KEY_FILE'].some(
    (name) => variableOf(env, name) !== undefined,
  );
  if (own) return { env, from: 'VOD_SECRET_ID/VOD_SECRET_KEY' };
  const vendor =
    variableOf(env, VENDOR_CREDENTIAL_VARIABLES.VOD_SECRET_ID) !== undefined ||
    variableOf(env, VENDOR_CREDENTIAL_VARIABLES.VOD_SECRET_KEY) !== undefined;
  if (!vendor) return { env, from: undefined };
  const view = new Proxy(env, {
    get(target, name) {
      // VOD_TOKEN, when set, still wins over the vendor's session token.
      if (name === 'VOD_TOKEN' && variableOf(target, 'VOD_TOKEN') !== undefined) return target[name];
      if (typeof name === 'string' && name in VENDOR_CREDENTIAL_VARIABLES)
        return target[VENDOR_CREDENTIAL_VARIABLES[name as OwnName]];
      return Reflect.get(target, name);
    },
  });
  return { env: view, from: 'TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY' };
}

/**
 * A configuration error about a credential read from a vendor variable, naming that variable
 * (in the message's text too) instead of the `VOD_*` one it stood for.
 */
export function inVendorTerms(error: ConfigError, env: NodeJS.ProcessEnv): ConfigError {
  const vendorName = (own: OwnName) =>
    own === 'VOD_TOKEN' && variableOf(env, 'VOD_TOKEN') !== undefined ? own : VENDOR_CREDENTIAL_VARIABLES[own];
  const rename = (text: string) =>
    OWN_NAMES.reduce(
      (renamed, own) => renamed.replace(new RegExp(`\\b${own}\\b(?!_FILE)`, 'g'), vendorName(own)),
      text,
    );
  const variable = rename(error.variable);
  if (variable === error.variable && rename(error.message) === error.message) return error;
  return new ConfigError(variable, rename(error.message.slice(error.variable.length + 2)));
}
