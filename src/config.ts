import { readFileSync } from 'node:fs';
import { ConfigError, bool, portNumber, readSettings, type GatewaySettings, type Reader, type VodClientSettings } from './env-settings.js';
import { vodBaseUrlProblem } from './vod/base-url.js';
import { DEFAULT_REGION, DEFAULT_VOD_BASE_URL, REGION_PATTERN, SIGNATURE_METHODS, VOD_PATHS, type SignatureMethod } from './vod/protocol.js';

export { ConfigError };

/** Where covers go: the embedded emulator, or a real VOD with credentials. */
export type VodTarget =
  | { kind: 'emulator'; emulatorPort: number }
  | {
      kind: 'remote';
      secretId: string;
      secretKey: string;
      baseUrl: string;
      region: string;
      path: string;
      signatureMethod: SignatureMethod;
      token?: string;
    };

/** The service's configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  /** Folder of the cover ledger (`covers.sqlite`); created on first start. */
  dataDir: string;
  /** Answer introspection; off in production unless GRAPHQL_INTROSPECTION=true. */
  introspection: boolean;
  vod: VodTarget;
  /** `createGateway` options set by their variables (see `GATEWAY_VARIABLES`); unset ones keep their defaults. */
  gateway: GatewaySettings;
  /** VOD client options set by their variables (see `VOD_CLIENT_VARIABLES`), for the emulator too. */
  vodClient: VodClientSettings;
}

/**
 * Reads and checks the configuration (see the README's table). Without VOD_SECRET_ID and
 * VOD_SECRET_KEY the gateway runs against the embedded emulator.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  /** A secret from its variable, or from the file `<name>_FILE` names (Docker and Kubernetes secrets). */
  const readSecret = (name: string): string | undefined => {
    const file = read(`${name}_FILE`);
    if (file === undefined) return read(name);
    if (read(name) !== undefined) throw new ConfigError(`${name}_FILE`, `is set, and so is ${name}: set one of them`);
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`${name}_FILE`, `cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  /** A variable read with `reader`, or `fallback` when it is unset. */
  const readAs = <T>(name: string, reader: Reader<T>, fallback: T): T => {
    const value = read(name);
    return value === undefined ? fallback : reader(name, value);
  };
  const port = readAs('PORT', portNumber, 4000);
  const host = read('HOST') ?? '0.0.0.0';
  const dataDir = read('DATA_DIR') ?? './data';
  const introspection = readAs('GRAPHQL_INTROSPECTION', bool, read('NODE_ENV') !== 'production');
  const common = { port, host, dataDir, introspection, ...readSettings(read) };
  const secretId = readSecret('VOD_SECRET_ID');
  const secretKey = readSecret('VOD_SECRET_KEY');

  if (secretId === undefined && secretKey === undefined) {
    for (const name of ['VOD_BASE_URL', 'VOD_REGION', 'VOD_PATH', 'VOD_SIGNATURE_METHOD', 'VOD_TOKEN', 'VOD_TOKEN_FILE']) {
      if (read(name) !== undefined) throw new ConfigError(name, 'is set, but VOD_SECRET_ID and VOD_SECRET_KEY are not (without them the embedded emulator is used)');
    }
    return { ...common, vod: { kind: 'emulator', emulatorPort: readAs('EMULATOR_PORT', portNumber, 0) } };
  }
  if (secretId === undefined) throw new ConfigError('VOD_SECRET_ID', 'is required when VOD_SECRET_KEY is set');
  if (secretKey === undefined) throw new ConfigError('VOD_SECRET_KEY', 'is required when VOD_SECRET_ID is set');

  const baseUrl = read('VOD_BASE_URL') ?? DEFAULT_VOD_BASE_URL;
  const baseUrlProblem = vodBaseUrlProblem(baseUrl);
  if (baseUrlProblem) throw new ConfigError('VOD_BASE_URL', baseUrlProblem);
  const region = read('VOD_REGION') ?? DEFAULT_REGION;
  if (!REGION_PATTERN.test(region)) throw new ConfigError('VOD_REGION', `must be a lower-case region code such as "gz", got ${JSON.stringify(region)}`);
  const path = read('VOD_PATH') ?? VOD_PATHS[0];
  if (!path.startsWith('/')) throw new ConfigError('VOD_PATH', `must start with "/", got ${JSON.stringify(path)}`);
  const signatureMethod = (read('VOD_SIGNATURE_METHOD') ?? 'HmacSHA1') as SignatureMethod;
  if (!SIGNATURE_METHODS.includes(signatureMethod)) {
    throw new ConfigError('VOD_SIGNATURE_METHOD', `must be one of ${SIGNATURE_METHODS.join(', ')}`);
  }
  const token = readSecret('VOD_TOKEN');
  return { ...common, vod: { kind: 'remote', secretId, secretKey, baseUrl, region, path, signatureMethod, ...(token ? { token } : {}) } };
}
