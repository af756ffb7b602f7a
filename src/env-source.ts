import { ConfigError } from './env-readers.js';
import { readSecretFileSync, tokenProblem, type SecretRule } from './vod/secret-file.js';

/**
 * The environment as the configuration asks it: every variable through the `env` object given
 * (the configuration reference's test records what is asked), an empty one as unset.
 */

/** A variable's value; undefined when it is unset or empty. */
export function variableOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Whether a variable is set: for a secret, directly or through its `<name>_FILE`. */
export function isSet(env: NodeJS.ProcessEnv, name: string, secret: boolean): boolean {
  return variableOf(env, name) !== undefined || (secret && variableOf(env, `${name}_FILE`) !== undefined);
}

/** What a set variable is called in a message: the secret's `<name>_FILE` when the file holds it. */
export function setAs(env: NodeJS.ProcessEnv, name: string): string {
  return variableOf(env, name) === undefined ? `${name}_FILE` : name;
}

/**
 * A secret from its variable, or from the file `<name>_FILE` names (Docker and Kubernetes
 * secrets): a regular file of at most `rule.maxBytes`, with the rule's shape. A problem names
 * the variable and never quotes the secret.
 */
export function secretOf(env: NodeJS.ProcessEnv, name: string, rule: SecretRule): string | undefined {
  const file = variableOf(env, `${name}_FILE`);
  if (file === undefined) {
    const value = variableOf(env, name);
    if (value === undefined) return undefined;
    if (Buffer.byteLength(value) > rule.maxBytes)
      throw new ConfigError(name, `is longer than ${rule.maxBytes} bytes, more than this secret can be`);
    const problem = rule.shape === 'token' ? tokenProblem(value) : undefined;
    if (problem) throw new ConfigError(name, problem);
    return value;
  }
  if (variableOf(env, name) !== undefined)
    throw new ConfigError(`${name}_FILE`, `is set, and so is ${name}: set one of them`);
  try {
    return readSecretFileSync(file, rule);
  } catch (error) {
    throw new ConfigError(`${name}_FILE`, `${JSON.stringify(file)} ${(error as Error).message}`);
  }
}
