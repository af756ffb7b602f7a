import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import type { GatewayContext } from './context.js';
import type { UploadValue } from '../multipart/upload-value.js';

/** The schema's Pothos types: the context every resolver gets, the scalars' JavaScript types. */
export interface SchemaTypes {
  Context: GatewayContext;
  Scalars: {
    ID: { Input: string; Output: string };
    Upload: { Input: UploadValue; Output: never };
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
}

/** A Pothos builder for one schema; each type adds itself to it in its own file (`define…`). */
export function createBuilder() {
  return new SchemaBuilder<SchemaTypes>({
    plugins: [DirectivePlugin, FederationPlugin],
    defaultFieldNullability: false,
  });
}

export type Builder = ReturnType<typeof createBuilder>;
