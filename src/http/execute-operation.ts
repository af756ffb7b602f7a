import { GraphQLError, getOperationAST, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';

/** A GraphQL-over-HTTP answer, ready to write. */
export interface OperationAnswer {
  status: number;
  body: string;
}

/**
 * Runs an operation that the multipart layer has already parsed, through Yoga's envelop pipeline
 * (its parse/validate cache, context, masked errors and any plugin's execution hooks) but without
 * its fetch-API HTTP layer: no Request/Response objects for a body that is already a stream in the
 * resolver's hands. That HTTP layer was the largest cost of an upload after the bytes themselves.
 */
export function createOperationExecutor<TContext extends Record<string, unknown>>(
  yoga: Pick<YogaServerInstance<Record<string, unknown>, TContext>, 'getEnveloped'>,
) {
  return async function executeOperation(operations: unknown, serverContext: Record<string, unknown>): Promise<OperationAnswer> {
    if (Array.isArray(operations)) return requestError('Batched operations are not supported.');
    const params = operations as Record<string, unknown>;
    const { query, variables, operationName } = params;
    if (typeof query !== 'string') return requestError('Must provide query string.');
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      return requestError('Invalid "variables": must be an object.');
    }
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
      return requestError('Invalid "operationName": must be a string.');
    }

    const { parse, validate, contextFactory, execute, schema } = yoga.getEnveloped(serverContext as never);
    let document;
    try {
      document = parse(query);
    } catch (error) {
      return requestError(error instanceof GraphQLError ? error : 'Syntax error.');
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) return { status: 400, body: stringify({ errors: validationErrors }) };
    // Several operations and no (or an unknown) operationName: Yoga's own answer to the same JSON request.
    if (!getOperationAST(document, (operationName as string | null | undefined) ?? undefined)) {
      return requestError(new GraphQLError('Could not determine what operation to execute.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }));
    }

    const contextValue = await contextFactory();
    const result = (await execute({
      schema,
      document,
      contextValue,
      variableValues: (variables as Record<string, unknown> | null | undefined) ?? undefined,
      operationName: (operationName as string | null | undefined) ?? undefined,
    })) as ExecutionResult;
    return { status: 200, body: stringify(result) };
  };
}

function requestError(error: string | GraphQLError): OperationAnswer {
  const graphqlError = typeof error === 'string' ? new GraphQLError(error) : error;
  return { status: 400, body: stringify({ errors: [graphqlError] }) };
}

/** JSON of a result, without Yoga's internal `extensions.http` on errors. */
function stringify(result: ExecutionResult | { errors: readonly GraphQLError[] }): string {
  if (!result.errors?.length) return JSON.stringify(result);
  const errors = result.errors.map((error) => {
    const json = error.toJSON() as { extensions?: Record<string, unknown> };
    if (json.extensions) {
      const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions;
      json.extensions = Object.keys(extensions).length > 0 ? extensions : undefined!;
      if (json.extensions === undefined) delete json.extensions;
    }
    return json;
  });
  return JSON.stringify({ ...result, errors });
}
