import { printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { guardEntityRepresentations } from './entities-guard.js';
import './date-time-scalar.js';
import './upload-scalar.js';
import './upload-error-reason.js';
import './upload-video-cover-success.js';
import './upload-video-cover-error.js';
import './upload-video-cover-result.js';
import './upload-video-cover.js';
import './upload-limits.js';
import './video-cover.js';
import './video.js';

builder.queryType({ description: 'Read-only entry points.' });
builder.mutationType({ description: 'Entry points that change something.' });

let schema: GraphQLSchema | undefined;

/** The Federation version the subgraph links. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

/** The gateway's schema, a Federation v2 subgraph (`_service`, `_entities`), built once. */
export function getSchema(): GraphQLSchema {
  if (!schema) {
    schema = builder.toSubGraphSchema({
      linkUrl: FEDERATION_LINK,
      federationDirectives: ['@key', '@authenticated', '@requiresScopes'],
    });
    guardEntityRepresentations(schema, ['Video']);
  }
  return schema;
}

/** The subgraph SDL (what `_service { sdl }` answers), committed as `schema.graphql`. */
export function printGatewaySchema(): string {
  return `${printSubgraphSchema(getSchema()).trim()}\n`;
}
