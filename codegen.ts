import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the tests, from the committed schema and test/operations. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/*.graphql'],
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Upload: { input: 'unknown', output: 'never' } },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
  emitLegacyCommonJSImports: false,
};

export default config;
