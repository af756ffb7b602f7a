import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';

/** Introspection (and field suggestions) are answered outside production (NODE_ENV), unless said otherwise. */
export const introspectionByDefault = (): boolean => process.env['NODE_ENV'] !== 'production';

/** What one operation may ask: each limit refused is a GraphQL error, before execution. */
export const OPERATION_LIMITS = {
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 50,
  maxTokens: 2000,
  maxCost: 5000,
} as const;

/**
 * The bounds on an operation's shape (graphql-armor: depth, aliases, directives, tokens, cost) and,
 * when `introspection` is off, no `__schema`/`__type` and no "did you mean" suggestions. Federation's
 * `_service` is not introspection and is always answered.
 */
export function useOperationLimits(introspection: boolean) {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    maxTokens: { n: OPERATION_LIMITS.maxTokens },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost },
    blockFieldSuggestion: { enabled: !introspection },
  });
  return introspection ? [armor] : [armor, useDisableIntrospection()];
}
