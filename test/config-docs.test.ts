import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DATABASE_VARIABLES, GATEWAY_VARIABLES, VOD_CLIENT_VARIABLES } from '../src/env-settings.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');

/** The variables loadConfig reads besides the option tables. */
const OTHERS = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'LOG_LEVEL',
  'NODE_ENV',
  'GRAPHQL_INTROSPECTION',
  'EMULATOR_PORT',
  'VOD_SECRET_ID',
  'VOD_SECRET_KEY',
  'VOD_SECRET_ID_FILE',
  'VOD_SECRET_KEY_FILE',
  'VOD_TOKEN',
  'VOD_TOKEN_FILE',
  'VOD_BASE_URL',
  'VOD_REGION',
  'VOD_PATH',
  'VOD_SIGNATURE_METHOD',
  'GRAPHIQL',
  'ADMIN_PORT',
  'CORS_ORIGINS',
  'AUTH_JWT_SECRET',
  'AUTH_JWT_SECRET_FILE',
  'AUTH_JWKS_URL',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'AUTH_JWT_CLOCK_TOLERANCE_S',
  'AUTH_ROUTER_HMAC_SECRET',
  'AUTH_ROUTER_HMAC_SECRET_FILE',
  'VOD_API',
  'VOD_SUB_APP_ID',
  'DATABASE_URL',
  'DATABASE_URL_FILE',
];
const ALL = [
  ...[...GATEWAY_VARIABLES, ...VOD_CLIENT_VARIABLES, ...DATABASE_VARIABLES].map(([variable]) => variable),
  ...OTHERS,
];

describe('the configuration is documented', () => {
  it.each(ALL)('%s is in the README and in .env.example', (variable) => {
    expect(readme).toContain(`\`${variable}\``);
    expect(example).toMatch(new RegExp(`^(# )?${variable}=`, 'm'));
  });

  it('.env.example, as written, is a configuration that starts (the embedded emulator, every default)', () => {
    const env: Record<string, string> = {};
    for (const line of example.split('\n')) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
      if (match) env[match[1]!] = match[2]!.replace(/\s+#.*$/, '').trim();
    }
    const config = loadConfig(env);
    expect(config.vod.kind).toBe('emulator');
    expect(Object.keys(config.gateway).sort()).toEqual(GATEWAY_VARIABLES.map(([, option]) => option).sort());
  });
});
