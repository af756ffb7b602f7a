/**
 * `npm run schema:print` writes schema.graphql from the Pothos schema;
 * `npm run schema:check` fails when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { printGatewaySchema } from '../src/schema/index.js';

const file = new URL('../schema.graphql', import.meta.url);
const printed = printGatewaySchema();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // missing counts as different
  }
  if (committed !== printed) {
    console.error(
      'schema.graphql differs from the schema printed from src/schema: run `npm run schema:print` and commit it.',
    );
    process.exit(1);
  }
  console.log('schema.graphql is up to date.');
} else {
  writeFileSync(file, printed);
  console.log('wrote schema.graphql');
}
