/**
 * Loads the stand-ins of one feature (features.ts) in place of the gateway's own modules, with
 * Node's in-thread module hooks (`module.registerHooks`, Node 22.15 and 24): only module
 * resolution at start-up changes, nothing per request.
 */
import { registerHooks } from 'node:module';
import { FEATURES, type Feature } from './features.js';

/**
 * Returns a check for after the gateway has loaded: it throws unless every stand-in was loaded,
 * so a renamed module fails the run instead of giving a cost of zero.
 */
export function withoutFeature(feature: string): () => void {
  if (!(feature in FEATURES))
    throw new Error(`BENCH_WITHOUT: no feature "${feature}" (${Object.keys(FEATURES).join(', ')})`);
  const replaces: Record<string, string> = FEATURES[feature as Feature].replaces;
  const standIns = new Map(
    Object.entries(replaces).map(([module, standIn]) => [
      new URL(`../../src/${module}`, import.meta.url).href,
      new URL(`./${standIn}`, import.meta.url).href,
    ]),
  );
  const unused = new Set(standIns.keys());
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const standIn = standIns.get(resolved.url);
      if (!standIn) return resolved;
      unused.delete(resolved.url);
      return { ...resolved, url: standIn, shortCircuit: true };
    },
  });
  return () => {
    if (unused.size > 0)
      throw new Error(`BENCH_WITHOUT=${feature}: the gateway never loaded ${[...unused].join(', ')}`);
  };
}
