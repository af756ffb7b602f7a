/** Stand-in for http/cors.ts: Yoga's CORS handling off (`cors: false`), no callback per request. */
import type { Plugin } from 'graphql-yoga';

export function corsFor(): false {
  return false;
}

export const varyByOrigin: Plugin = {};
