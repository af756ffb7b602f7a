import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestRefusal } from './request-refusals.js';

/**
 * Headers that make a request non-simple (a browser must preflight it), so a cross-site page
 * cannot send it with a victim's cookies. `apollo-require-preflight` is what Apollo Router and
 * apollo-upload-client users send; refusing it would break every upload through them.
 */
export const DEFAULT_CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'] as const;

/**
 * Yoga's CSRF prevention, its refusal saying which headers would let the request in (Yoga's own
 * says only "Required CSRF header(s) not present", and a client author is left to guess).
 */
export function useCsrfHeaders(requestHeaders: readonly string[]): Plugin {
  const { onRequestParse } = useCSRFPrevention({ requestHeaders: [...requestHeaders] });
  return {
    onRequestParse(payload) {
      try {
        return onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw requestRefusal(
          'csrf-header-missing',
          `A multipart, form or text/plain request needs one of these headers (any value), so that a browser preflights it: ${requestHeaders.join(', ')}.`,
        );
      }
    },
  };
}
