/**
 * The options the package's exports declare, as the TypeScript checker sees them: whether an option
 * path exists, and the `@default` its JSDoc gives. The documents name options by path: `maxFileSize`
 * and `vod.retry.maxAttempts` are `GatewayOptions`' (through every member of a union), and
 * `openPostgresCoverStore({ poolSize })` is the first parameter of that exported function.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** A declared default, parsed when it is a literal (`5000`, `'strip'`, `true`, `['a', 'b']`, `[]`). */
export type DeclaredDefault = { text: string; value?: unknown };

export interface DeclaredOptions {
  /**
   * The option an option cell names, or undefined when the path is not declared; `defaults` holds
   * the `@default` of each declaration it resolves to (the legacy and the API 3.0 client for `vod.…`).
   */
  resolve(option: string): { defaults: DeclaredDefault[] } | undefined;
}

const ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** How option cells name an option: a path of `GatewayOptions`, or `fn({ path })` of an exported function. */
const FUNCTION_OPTION = /^(\w+)\(\{ ([\w.]+) \}\)$/;
const GATEWAY_OPTION = /^[a-z]\w*(\.\w+)*$/;

/** Whether a cell's option is one this module can look up. */
export function isOptionPath(option: string): boolean {
  return FUNCTION_OPTION.test(option) || GATEWAY_OPTION.test(option);
}

/** `5000 (5 s)` → 5000; `'strip'` → 'strip'; `['a', 'b']` → ['a', 'b']; anything else is no literal. */
export function literalOf(text: string): unknown {
  const expression = text.replace(/\s+\(.*\)$/s, '').trim();
  if (/^-?\d+$/.test(expression)) return Number(expression);
  if (expression === 'true' || expression === 'false') return expression === 'true';
  if (/^'[^']*'$/.test(expression)) return expression.slice(1, -1);
  if (/^\[('[^']*'(, '[^']*')*)?\]$/.test(expression)) return JSON.parse(expression.replace(/'/g, '"'));
  return undefined;
}

/** Builds the checker over `src/index.ts` (a few seconds: call once per test file). */
export function declaredOptions(): DeclaredOptions {
  const program = ts.createProgram([ENTRY], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!;
  const exported = new Map(
    checker.getExportsOfModule(moduleSymbol).map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return [symbol.name, target] as const;
    }),
  );
  const members = (type: ts.Type): ts.Type[] =>
    type.isUnion() ? type.types.flatMap(members) : [checker.getNonNullableType(type)];
  const typeOf = (symbol: ts.Symbol): ts.Type => checker.getNonNullableType(checker.getTypeOfSymbol(symbol));

  function walk(roots: ts.Type[], path: string[]): ts.Symbol[] {
    let types = roots;
    let found: ts.Symbol[] = [];
    for (const name of path) {
      found = types.flatMap(members).flatMap((type) => type.getProperty(name) ?? []);
      types = found.map(typeOf);
    }
    return found;
  }

  return {
    resolve(option) {
      let roots: ts.Type[];
      let path: string[];
      const call = FUNCTION_OPTION.exec(option);
      if (call) {
        const fn = exported.get(call[1]!);
        const parameter = fn && typeOf(fn).getCallSignatures()[0]?.getParameters()[0];
        if (!parameter) return undefined;
        roots = [typeOf(parameter)];
        path = call[2]!.split('.');
      } else {
        const gatewayOptions = exported.get('GatewayOptions');
        if (!gatewayOptions) return undefined;
        roots = [checker.getDeclaredTypeOfSymbol(gatewayOptions)];
        path = option.split('.');
      }
      const symbols = walk(roots, path);
      if (symbols.length === 0) return undefined;
      const defaults = symbols.flatMap((symbol) =>
        symbol
          .getJsDocTags(checker)
          .filter((tag) => tag.name === 'default')
          .map((tag) => {
            const text = ts.displayPartsToString(tag.text).trim();
            const value = literalOf(text);
            return value === undefined ? { text } : { text, value };
          }),
      );
      return { defaults };
    },
  };
}
