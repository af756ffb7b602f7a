/** Stand-in for plugins/use-operation-limits.ts: no graphql-armor (introspection stays off in production). */
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';

export const introspectionByDefault = (): boolean => process.env['NODE_ENV'] !== 'production';

export function useOperationLimits(introspection: boolean) {
  return introspection ? [] : [useDisableIntrospection()];
}
