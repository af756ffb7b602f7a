/**
 * `npm run compose`: composes schema.graphql with the test `videos` subgraph into a supergraph
 * (@theguild/federation-composition), and fails on any composition error.
 */
import { readFileSync } from 'node:fs';
import { composeSupergraph } from '../helpers/supergraph.js';

const result = composeSupergraph({
  covers: {
    sdl: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
    url: 'http://covers.invalid/graphql',
  },
  videos: {
    sdl: readFileSync(new URL('../fixtures/videos-subgraph.graphql', import.meta.url), 'utf8'),
    url: 'http://videos.invalid/graphql',
  },
});
if (!result.ok) {
  console.error(`schema.graphql does not compose:\n${result.errors.join('\n')}`);
  process.exit(1);
}
console.log('schema.graphql composes with the videos subgraph.');
