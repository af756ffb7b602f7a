import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { postGraphql as graphql } from '../helpers/graphql.js';
import { useGateway } from '../helpers/gateway.js';
import { uploadsStillWork } from '../helpers/still-serving.js';

const harness = useGateway();

describe('requests that would cost memory out of proportion are refused quickly and cheaply', () => {
  const representations = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ __typename: 'Video', fileId: `v${i}` }));
  const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Video { fileId } } }';

  it('answers 413 to a 24 MB JSON body of 540,000 representations within 1 s and 64 MB of memory', async () => {
    const body = JSON.stringify({ query: ENTITIES, variables: { r: representations(540_000) } });
    expect(body.length).toBeGreaterThan(20_000_000);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const res = await request(harness().url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const elapsed = performance.now() - started;
    const answer = (await res.body.json()) as { errors: { message: string }[] };
    expect(res.statusCode).toBe(413);
    expect(answer.errors[0]!.message).toBe(
      `The request body declares ${body.length} bytes, which is larger than the 1048576 bytes accepted.`,
    );
    expect(elapsed).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    await uploadsStillWork(harness());
  });

  it('answers 413 to a chunked JSON body (no declared length) as soon as it passes the bound', async () => {
    const chunk = Buffer.from(
      `{"query":${JSON.stringify(ENTITIES)},"variables":{"r":[${'{"__typename":"Video","fileId":"x"},'.repeat(40_000)}`,
    );
    const body = Readable.from([chunk, chunk, Buffer.from('{}]}}')]);
    const res = await request(harness().url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.statusCode).toBe(413);
    expect(((await res.body.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(
      'The request body is larger than the 1048576 bytes accepted.',
    );
    await uploadsStillWork(harness());
  });

  it('refuses 2,001 representations with TOO_MANY_REPRESENTATIONS and resolves 2,000', async () => {
    const over = await graphql(harness().url, ENTITIES, { r: representations(2001) });
    expect(over.body).toEqual({
      errors: [
        {
          message:
            'At most 2000 representations are resolved per request; this one asks for 2001. Split it into batches.',
          extensions: { code: 'TOO_MANY_REPRESENTATIONS' },
        },
      ],
    });
    const within = await graphql(harness().url, ENTITIES, { r: representations(2000) });
    expect((within.body.data?.['_entities'] as unknown[] | undefined)?.length).toBe(2000);
  });
});

it('counts representations written inline, through fragments and aliases', async () => {
  await using small = await startGateway({ gateway: { maxRepresentations: 3 } });
  const rep = '{ __typename: "Video", fileId: "v" }';
  const query = `{ a: _entities(representations: [${rep}, ${rep}]) { __typename } ...F } fragment F on Query { b: _entities(representations: [${rep}, ${rep}]) { __typename } }`;
  expect((await graphql(small.url, query)).body.errors?.[0]?.message).toBe(
    'At most 3 representations are resolved per request; this one asks for 4. Split it into batches.',
  );
  expect(
    (await graphql(small.url, `{ _entities(representations: [${rep}, ${rep}, ${rep}]) { __typename } }`)).body.errors,
  ).toBeUndefined();
});
