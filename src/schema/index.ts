import { printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_LIMITS } from '../upload/upload-cover.js';
import { createOutcomes, type Outcomes } from '../upload/outcomes.js';
import { createBuilder } from './builder.js';
import { guardEntityRepresentations } from './entities-guard.js';
import { defineScalars } from './scalars.js';
import { defineUploadErrorReason } from './upload-error-reason.js';
import { defineUploadLimits } from './upload-limits.js';
import { defineUploadVideoCover } from './upload-video-cover.js';
import { defineUploadVideoCoverError } from './upload-video-cover-error.js';
import { defineUploadVideoCoverResult } from './upload-video-cover-result.js';
import { defineUploadVideoCoverSuccess } from './upload-video-cover-success.js';
import { defineVideo } from './video.js';
import { defineVideoCover } from './video-cover.js';

/** The Federation version the subgraph links. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

/**
 * The gateway's schema, with the descriptions and `uploadLimits` of one gateway's outcome
 * vocabulary (its configured limits): a Federation v2 subgraph (`_service`, `_entities`), or with
 * `subgraph: false` a plain schema (what a host merges into its own: see schema-parts.ts).
 */
export function createSchema(outcomes: Outcomes, { subgraph = true }: { subgraph?: boolean } = {}): GraphQLSchema {
  const builder = createBuilder();
  builder.queryType({ description: 'Read-only entry points.' });
  builder.mutationType({ description: 'Entry points that change something.' });
  defineScalars(builder);
  const VideoCover = defineVideoCover(builder);
  const Video = defineVideo(builder, VideoCover);
  const Success = defineUploadVideoCoverSuccess(builder, Video);
  const Failure = defineUploadVideoCoverError(builder, defineUploadErrorReason(builder, outcomes));
  defineUploadVideoCover(builder, defineUploadVideoCoverResult(builder, Success, Failure), outcomes.limits);
  defineUploadLimits(builder, outcomes.limits);
  if (!subgraph) return builder.toSchema();
  const schema = builder.toSubGraphSchema({
    linkUrl: FEDERATION_LINK,
    federationDirectives: ['@key', '@authenticated', '@requiresScopes'],
  });
  guardEntityRepresentations(schema, ['Video']);
  return schema;
}

let defaultSchema: GraphQLSchema | undefined;

/** The schema with the default limits, built once: what `schema.graphql` holds. */
export function getSchema(): GraphQLSchema {
  defaultSchema ??= createSchema(createOutcomes(DEFAULT_LIMITS));
  return defaultSchema;
}

/** A schema's subgraph SDL (what `_service { sdl }` answers); by default `schema.graphql`'s. */
export function printGatewaySchema(schema: GraphQLSchema = getSchema()): string {
  return `${printSubgraphSchema(schema).trim()}\n`;
}
