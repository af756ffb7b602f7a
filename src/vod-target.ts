import type { VodSettings } from './env-settings.js';
import { variableOf } from './env-source.js';
import type { CredentialVariables } from './vendor-credentials.js';
import { API_DEFAULTS } from './vod-api-rules.js';
import type { CredentialFiles } from './vod/credentials.js';
import type { SignatureMethod } from './vod/legacy/protocol.js';
import { DEFAULT_VOD_API, type VodApi } from './vod/vod-api.js';

/** Where covers go: the embedded emulator, or a real VOD with credentials. */
export type VodTarget =
  | { kind: 'emulator'; emulatorPort: number; api: VodApi; subAppId?: number }
  | {
      kind: 'remote';
      api: 'legacy';
      secretId: string;
      secretKey: string;
      baseUrl: string;
      region: string;
      path: string;
      signatureMethod: SignatureMethod;
      token?: string;
      /** With `*_FILE` variables: the files, read again while the service runs (`fileCredentials`). */
      credentialFiles?: CredentialFiles;
      /** The variables the credentials were read from (the start line says). */
      credentialsFrom?: CredentialVariables;
    }
  | {
      kind: 'remote';
      api: 'v3';
      secretId: string;
      secretKey: string;
      baseUrl: string;
      /** X-TC-Region, sent only when set (VOD is not regional). */
      region?: string;
      subAppId?: number;
      token?: string;
      /** With `*_FILE` variables: the files, read again while the service runs (`fileCredentials`). */
      credentialFiles?: CredentialFiles;
      /** The variables the credentials were read from (the start line says). */
      credentialsFrom?: CredentialVariables;
    };

/**
 * Where covers go, from the `vod` settings as the table read and checked them: the embedded
 * emulator without credentials (the table refused half a pair, and the settings that need
 * credentials), else the API VOD_API chooses, with its values for the settings left unset.
 */
export function vodTargetOf(
  vod: VodSettings,
  env: NodeJS.ProcessEnv,
  credentialsFrom?: CredentialVariables,
): VodTarget {
  const api = vod.api ?? DEFAULT_VOD_API;
  const { secretId, secretKey, token, emulatorPort, api: _chosen, ...settings } = vod;
  if (secretId === undefined || secretKey === undefined) {
    const withSubApp = vod.subAppId === undefined ? {} : { subAppId: vod.subAppId };
    // 0: a free port.
    return { kind: 'emulator', emulatorPort: emulatorPort ?? 0, api, ...withSubApp };
  }
  const withToken = token === undefined ? {} : { token };
  const credentialFiles = credentialFilesOf(env, { secretId, secretKey, ...withToken });
  // The table refused each setting of the other API: what is left has this API's shape.
  return {
    kind: 'remote',
    api,
    secretId,
    secretKey,
    ...withToken,
    ...(credentialFiles ? { credentialFiles } : {}),
    ...(credentialsFrom ? { credentialsFrom } : {}),
    ...API_DEFAULTS[api],
    ...settings,
  } as VodTarget;
}

/** With `*_FILE` variables: the files, read again while the service runs, and what they held at start. */
function credentialFilesOf(
  env: NodeJS.ProcessEnv,
  read: { secretId: string; secretKey: string; token?: string },
): CredentialFiles | undefined {
  const files = {
    secretIdFile: variableOf(env, 'VOD_SECRET_ID_FILE'),
    secretKeyFile: variableOf(env, 'VOD_SECRET_KEY_FILE'),
    tokenFile: variableOf(env, 'VOD_TOKEN_FILE'),
  };
  if (!files.secretIdFile && !files.secretKeyFile && !files.tokenFile) return undefined;
  return { ...Object.fromEntries(Object.entries(files).filter(([, path]) => path !== undefined)), ...read };
}
