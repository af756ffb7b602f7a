import { GraphQLError } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { isUploadValue } from '../multipart/upload-value.js';
import type { Builder } from './builder.js';

/**
 * `scalar DateTime`, an RFC 3339 date-time in UTC (2026-11-27T12:00:00.000Z), and `scalar Upload`,
 * a file of a GraphQL multipart request (the spec's conventional name).
 */
export function defineScalars(builder: Builder): void {
  builder.addScalarType('DateTime', DateTimeResolver, {});
  builder.scalarType('Upload', {
    description:
      'A file sent with the GraphQL multipart request spec (operations, map, file parts). ' +
      'Input only: send it as a variable, never inline.',
    serialize() {
      throw new GraphQLError('Upload is an input-only scalar.');
    },
    parseValue(value) {
      if (!isUploadValue(value)) {
        throw new GraphQLError(
          'Upload variables take a file part of a multipart request (see the GraphQL multipart request spec).',
        );
      }
      return value;
    },
    parseLiteral() {
      throw new GraphQLError('Upload cannot be written inline; send the file as a variable of a multipart request.');
    },
  });
}
