import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports": Node loads its CommonJS build for Yoga and Pothos, while Vite
    // would give our sources the .mjs build. Two graphql instances break `instanceof`; use one.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/chromium.ts', 'test/setup/services.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
