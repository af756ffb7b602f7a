import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './upload-scalar.js';
import './upload-error-reason.js';
import './upload-video-cover-success.js';
import './upload-video-cover-error.js';
import './upload-video-cover-result.js';
import './upload-video-cover.js';
import './upload-limits.js';

builder.queryType({ description: 'Read-only entry points.' });
builder.mutationType({ description: 'Entry points that change something.' });

let schema: GraphQLSchema | undefined;

/** The gateway's schema, built once from the Pothos builder. */
export function getSchema(): GraphQLSchema {
  return (schema ??= builder.toSchema());
}

/** The SDL committed as `schema.graphql`. */
export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(getSchema()))}\n`;
}
