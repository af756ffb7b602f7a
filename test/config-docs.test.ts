/**
 * docs/configuration.md, the code and .env.example in step. The variables are taken from the code,
 * not from a list: every one `loadConfig` asks its environment for (run on an environment that
 * records what is asked, in each of its branches), `tracingConfigured` asks for, or `src/` reads
 * from `process.env`. Each needs a row with a type, a default, an option and a meaning; each row
 * needs a variable the code (or the OpenTelemetry SDK) reads; each option a row names must be
 * declared, and a default the declaration gives as a literal must be the row's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DEV_CREDENTIAL } from '../src/emulator/server.js';
import {
  DATABASE_VARIABLES,
  FIT_VARIABLES,
  GATEWAY_VARIABLES,
  type Reader,
  VOD_CLIENT_VARIABLES,
} from '../src/env-settings.js';
import { tracingConfigured } from '../src/observability/tracing.js';
import { type DeclaredOptions, declaredOptions, isOptionPath, literalOf } from './helpers/declared-options.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const reference = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
const example = readFileSync(join(root, '.env.example'), 'utf8');

/** The reference's rows: `| \`VARIABLE\` | type | default | option | meaning |` (`\|` escapes a pipe in a cell). */
const rows = new Map(
  reference
    .split('\n')
    .filter((line) => /^\| `[A-Z][A-Z0-9_]*` \|/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim());
      const [variable, type, defaultCell, option, meaning] = cells.map((cell) => cell ?? '');
      return [variable!.slice(1, -1), { cells, type, defaultCell, option, meaning }] as const;
    }),
);

/** The first `literal` of a cell, or undefined when it names none (`unset`, `—`). */
const firstLiteral = (cell: string | undefined) => /^`([^`]+)`/.exec(cell ?? '')?.[1];

/** Every variable name an environment was asked for while `use` ran. */
function asked(use: (env: NodeJS.ProcessEnv) => void, given: Record<string, string> = {}): Set<string> {
  const names = new Set<string>();
  const env = new Proxy(given, {
    get(target, name) {
      if (typeof name === 'string') names.add(name);
      return Reflect.get(target, name);
    },
  });
  use(env);
  return names;
}

const CREDENTIALS = { VOD_SECRET_ID: DEV_CREDENTIAL.secretId, VOD_SECRET_KEY: DEV_CREDENTIAL.secretKey };
/** Environments that take `loadConfig` down each of its branches. */
const BRANCHES: Record<string, string>[] = [
  {},
  { ...CREDENTIALS, VOD_API: 'legacy' },
  { ...CREDENTIALS, VOD_API: 'v3' },
  { COVER_FIT: 'on' },
  { DATABASE_URL: 'postgres://covers@db.internal/covers' },
  { AUTH_JWT_SECRET: 'a'.repeat(32) },
  { TENCENTCLOUD_SECRET_ID: DEV_CREDENTIAL.secretId, TENCENTCLOUD_SECRET_KEY: DEV_CREDENTIAL.secretKey },
];

/** `process.env.X`, `process.env['X']` and `env['X']` in `src/`. */
function readInSources(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|js)$/.test(entry.name))
        for (const match of readFileSync(path, 'utf8').matchAll(
          /\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g,
        ))
          names.add((match[1] ?? match[2])!);
    }
  };
  visit(join(root, 'src'));
  return names;
}

/** The variables the code reads, a lower-case proxy variable under its upper-case name. */
const READ_BY_CODE = new Set(
  [
    ...BRANCHES.flatMap((env) => [...asked((recording) => loadConfig(recording), env)]),
    ...asked((env) => tracingConfigured(env)),
    ...readInSources(),
  ]
    .filter((name) => /^[A-Za-z][A-Za-z0-9_]*_[A-Za-z0-9_]+$|^[A-Z]+$/.test(name))
    .map((name) => name.toUpperCase()),
);

/** The variables the OpenTelemetry packages read themselves (named in their code). */
function readByOpenTelemetry(names: string[]): Set<string> {
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(m|c)?js$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        for (const name of names) if (text.includes(name)) found.add(name);
      }
    }
  };
  visit(join(root, 'node_modules/@opentelemetry'));
  return found;
}

/** Every table of variables the environment sets options with, and the option path a row must name. */
const TABLES: readonly [table: readonly (readonly [string, string, Reader])[], option: (name: string) => string][] = [
  [GATEWAY_VARIABLES, (name) => name],
  [VOD_CLIENT_VARIABLES, (name) => `vod.${name}`],
  [FIT_VARIABLES, (name) => `fit.${name}`],
  [DATABASE_VARIABLES, (name) => `openPostgresCoverStore({ ${name} })`],
];
const TABLED = new Map(
  TABLES.flatMap(([table, option]) =>
    table.map(([variable, name, read]) => [variable, { option: option(name), read }]),
  ),
);

/** `.env.example`'s lines that set a variable (not the commented ones): variable → value. */
const exampleValues = new Map(
  example
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => [match[1]!, match[2]!.replace(/\s+#.*$/, '').trim()]),
);

describe('the configuration reference (docs/configuration.md)', () => {
  let declared: DeclaredOptions;
  beforeAll(() => {
    declared = declaredOptions();
  }, 60_000);

  it.each([...READ_BY_CODE].sort())('has a row for %s, which the code reads, and .env.example lists it', (variable) => {
    const row = rows.get(variable);
    expect(row, `no row for ${variable}`).toBeDefined();
    expect(row!.cells).toHaveLength(5);
    expect(row!.cells.every((cell) => cell !== '')).toBe(true);
    expect(example).toMatch(new RegExp(`^(# )?${variable}=`, 'm'));
  });

  it('has no row for a variable nothing reads (the OpenTelemetry ones are read by its SDK)', () => {
    const others = [...rows.keys()].filter((variable) => !READ_BY_CODE.has(variable));
    expect(others.every((variable) => variable.startsWith('OTEL_'))).toBe(true);
    expect([...readByOpenTelemetry(others)].sort()).toEqual(others.sort());
    for (const variable of others) {
      expect(rows.get(variable)!.cells.every((cell) => cell !== '')).toBe(true);
      expect(example).toMatch(new RegExp(`^# ${variable}=`, 'm'));
    }
  });

  it('names, for each variable of the settings tables, the option the table sets', () => {
    const named = [...TABLED].map(([variable]) => [variable, firstLiteral(rows.get(variable)?.option)]);
    expect(named).toEqual([...TABLED].map(([variable, { option }]) => [variable, option]));
  });

  it('names options the code declares, with the defaults it declares', () => {
    const problems: string[] = [];
    for (const [variable, row] of rows) {
      const option = firstLiteral(row.option);
      if (option === undefined || !isOptionPath(option)) continue;
      const found = declared.resolve(option);
      if (!found) {
        problems.push(`${variable}: ${option} is not an option of the code`);
        continue;
      }
      const documented = firstLiteral(row.defaultCell);
      const declaredLiterals = found.defaults.flatMap((d) => ('value' in d ? [d.value] : []));
      if (documented === undefined || declaredLiterals.length === 0) continue;
      const tabled = TABLED.get(variable);
      // A settings table reads the variable into the option's type; otherwise numbers and strings compare.
      const value = tabled
        ? tabled.read(variable, documented)
        : typeof declaredLiterals[0] === 'number'
          ? Number(documented)
          : typeof declaredLiterals[0] === 'string'
            ? documented
            : undefined;
      if (value === undefined) continue;
      if (!declaredLiterals.some((literal) => JSON.stringify(literal) === JSON.stringify(value)))
        problems.push(
          `${variable}: documented ${documented}, declared ${found.defaults.map((d) => d.text).join(' or ')}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('names, in its table of options only in code, options the code declares, with their defaults', () => {
    const codeRows = reference
      .slice(reference.indexOf('## Options only in code'))
      .split('\n')
      .filter((line) => /^\| `[^`A-Z]/.test(line))
      .map((line) =>
        line
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((cell) => cell.trim()),
      );
    expect(codeRows.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const [optionCell, , defaultCell] of codeRows) {
      const option = firstLiteral(optionCell)!;
      const found = declared.resolve(option);
      if (!found) {
        problems.push(`${option} is not an option of the code`);
        continue;
      }
      const documented = literalOf(firstLiteral(defaultCell) ?? '');
      const declaredLiterals = found.defaults.flatMap((d) => ('value' in d ? [d.value] : []));
      if (documented === undefined || declaredLiterals.length === 0) continue;
      if (!declaredLiterals.some((literal) => JSON.stringify(literal) === JSON.stringify(documented)))
        problems.push(
          `${option}: documented ${defaultCell}, declared ${found.defaults.map((d) => d.text).join(' or ')}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('gives each other variable the default loadConfig applies when it is unset', () => {
    // Set to its documented default, a variable must change nothing, in a branch where it applies
    // (its option's declared default, checked above, stands for it where it has one).
    const differing = [...rows]
      .filter(([variable, row]) => !TABLED.has(variable) && firstLiteral(row.defaultCell) !== undefined)
      .filter(([, row]) => {
        const option = firstLiteral(row.option);
        const found = option && isOptionPath(option) ? declared.resolve(option) : undefined;
        return !found?.defaults.some((d) => 'value' in d);
      })
      .map(([variable, row]) => [variable, firstLiteral(row.defaultCell)!] as const)
      .filter(([variable, documented]) => {
        const unchanged = BRANCHES.filter((env) => !(variable in env)).some((env) => {
          try {
            return JSON.stringify(loadConfig({ ...env, [variable]: documented })) === JSON.stringify(loadConfig(env));
          } catch (error) {
            if (error instanceof ConfigError) return false;
            throw error;
          }
        });
        return !unchanged;
      });
    expect(differing).toEqual([]);
  });
});

describe('.env.example', () => {
  it('sets each variable it sets to the default the reference gives', () => {
    const differing = [...exampleValues]
      .filter(([, value]) => value !== '')
      .map(([variable, value]) => [variable, value, firstLiteral(rows.get(variable)?.defaultCell)])
      .filter(([, value, documented]) => value !== documented);
    expect(differing).toEqual([]);
  });

  it('is, as written, a configuration that starts (the embedded emulator, every default)', () => {
    const env = Object.fromEntries(exampleValues);
    const config = loadConfig(env);
    expect(config.vod.kind).toBe('emulator');
    expect(Object.keys(config.gateway).sort()).toEqual(GATEWAY_VARIABLES.map(([, option]) => option).sort());
  });
});
