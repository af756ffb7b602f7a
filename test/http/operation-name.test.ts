/**
 * A document with several operations runs the one `operationName` names, every time: no cache
 * (a compiled query, a parsed document) may answer one operation with another's result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';

type Harness = StartedGateway;
let h: Harness;
beforeAll(async () => {
  h = await startGateway();
});
afterAll(async () => {
  await h.close();
});

/** POSTs `{ query, operationName, variables }` as JSON and gives the status and the parsed answer. */
async function run(query: string, operationName: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(h.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName, variables }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the operation named is the operation run', () => {
  const TWO = 'query A { uploadLimits { maxFileSize } } query B { videoCover(fileId: "v1") { url } }';

  it('answers A with A after B ran from the same document', async () => {
    expect(await run(TWO, 'B')).toEqual({ status: 200, body: { data: { videoCover: null } } });
    expect(await run(TWO, 'A')).toEqual({ status: 200, body: { data: { uploadLimits: { maxFileSize: 1_048_576 } } } });
  });

  it('answers B with B after A ran from the same document', async () => {
    const document = `${TWO} # another document text than the test above`;
    expect(await run(document, 'A')).toEqual({
      status: 200,
      body: { data: { uploadLimits: { maxFileSize: 1_048_576 } } },
    });
    expect(await run(document, 'B')).toEqual({ status: 200, body: { data: { videoCover: null } } });
  });

  it('does not resolve 25,000 representations under the name of an operation that asks for none', async () => {
    const document =
      'query Small { uploadLimits { maxFileSize } } query Big($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    // Primes whatever a server keeps per document with the operation that resolves representations.
    const primed = await run(document, 'Big', { r: [{ __typename: 'Video', fileId: 'v1' }] });
    expect(primed.body).toEqual({ data: { _entities: [{ __typename: 'Video' }] } });
    const r = Array.from({ length: 25_000 }, (_, i) => ({ __typename: 'Video', fileId: `v${i}` }));
    expect(await run(document, 'Small', { r })).toEqual({
      status: 200,
      body: { data: { uploadLimits: { maxFileSize: 1_048_576 } } },
    });
  });
});
