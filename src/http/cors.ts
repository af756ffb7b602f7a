import type { Plugin, YogaServerOptions } from 'graphql-yoga';

/**
 * CORS for the listed origins only (`corsOrigins`, CORS_ORIGINS): each gets its CORS headers, with
 * credentials and the headers a client of this service sends; any other origin gets none at all.
 */
export function corsFor(
  origins: readonly string[],
  csrfHeaders: readonly string[],
): NonNullable<YogaServerOptions<object, object>['cors']> {
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !origins.includes(origin)) return false;
    return {
      origin,
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', ...csrfHeaders],
      maxAge: 600,
    };
  };
}

/** `Vary: Origin` on every answer: with allowed origins, the CORS headers depend on the request's Origin. */
export const varyByOrigin: Plugin = {
  onResponse({ response }) {
    response.headers.append('vary', 'Origin');
  },
};
