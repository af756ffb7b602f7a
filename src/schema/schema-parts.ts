import {
  type GraphQLFieldResolver,
  type GraphQLSchema,
  isEnumType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  printType,
} from 'graphql';
import type { createSchema } from 'graphql-yoga';

/** A resolver map in graphql-tools' shape (what Yoga's `createSchema`, `makeExecutableSchema` and Apollo Server take). */
export type ResolverMap = Exclude<NonNullable<Parameters<typeof createSchema>[0]['resolvers']>, readonly unknown[]>;

/**
 * A schema as type definitions and resolvers, to be merged into a host's own (graphql-tools'
 * `mergeTypeDefs`, Yoga's `createSchema`, Apollo Server): the SDL of every named type the schema
 * defines (no directive definitions, no applied directives), and for each its resolvers: field
 * `resolve`s, a union's or interface's `__resolveType`, a scalar itself, an enum's internal values.
 */
export function schemaParts(schema: GraphQLSchema): { typeDefs: string; resolvers: ResolverMap } {
  const types = Object.values(schema.getTypeMap()).filter(
    (type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !type.name.startsWith('_'),
  );
  const typeDefs = types.map((type) => printType(type)).join('\n\n');
  const resolvers: Record<string, unknown> = {};
  for (const type of types) {
    if (isScalarType(type)) resolvers[type.name] = type;
    else if (isUnionType(type) || isInterfaceType(type)) {
      if (type.resolveType) resolvers[type.name] = { __resolveType: type.resolveType };
    } else if (isEnumType(type)) {
      const values = Object.fromEntries(type.getValues().map((v) => [v.name, v.value]));
      if (type.getValues().some((v) => v.value !== v.name)) resolvers[type.name] = values;
    } else if (isObjectType(type)) {
      const fields: Record<string, GraphQLFieldResolver<unknown, unknown>> = {};
      for (const [name, field] of Object.entries(type.getFields())) if (field.resolve) fields[name] = field.resolve;
      if (type.isTypeOf) Object.assign(fields, { __isTypeOf: type.isTypeOf });
      if (Object.keys(fields).length > 0) resolvers[type.name] = fields;
    }
  }
  return { typeDefs, resolvers: resolvers as ResolverMap };
}
