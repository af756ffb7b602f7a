/**
 * Headers that make a request non-simple (a browser must preflight it), so a cross-site page
 * cannot send it with a victim's cookies. `apollo-require-preflight` is what Apollo Router and
 * apollo-upload-client users send; refusing it would break every upload through them.
 */
export const DEFAULT_CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'] as const;
