/** Stand-in for plugins/use-request-id.ts: no request id on the context or the answer. */
import type { Plugin } from 'graphql-yoga';

export function useRequestId(): Plugin {
  return {};
}
