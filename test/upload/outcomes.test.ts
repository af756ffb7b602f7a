/**
 * The outcome vocabulary is the one place an outcome's code, canRetry and words come from: the
 * README's error table and the API 3.0 class table are rendered from it (and fail on drift, as
 * config-docs.test.ts does for variables), and what a gateway says of itself (uploadLimits, the
 * schema's descriptions, its messages) follows its configured limits.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../src/gateway.js';
import {
  UPLOAD_ERROR_REASONS,
  createOutcomes,
  type OutcomeCase,
  type UploadErrorReason,
} from '../../src/upload/outcomes.js';
import { DEFAULT_LIMITS } from '../../src/upload/upload-cover.js';
import { API3_ERROR_CLASSES, API3_OTHER_ERROR } from '../../src/vod/api3/protocol.js';
import { jpegOfSize } from '../fixtures/images.js';
import { startGateway } from '../helpers/gateway.js';
import { postGraphql } from '../helpers/graphql.js';
import { resultOf, sendUpload } from '../helpers/multipart.js';
import { startService } from '../helpers/service.js';

const between = (text: string, start: string, end: string) =>
  text.slice(text.indexOf('\n', text.indexOf(start)) + 1, text.indexOf(end)).trim();

describe('the documents', () => {
  it("hold the README's error table exactly as the vocabulary renders it with the default limits", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(between(readme, '<!-- errors:start', '<!-- errors:end -->')).toBe(createOutcomes(DEFAULT_LIMITS).table());
  });

  it("hold docs/vod-api3.md's class table exactly as API3_ERROR_CLASSES says", () => {
    const doc = readFileSync(new URL('../../docs/vod-api3.md', import.meta.url), 'utf8');
    const rows = [
      '| class (prefix of `Error.Code`) | gateway `code` | retried |',
      '|---|---|---|',
      ...API3_ERROR_CLASSES.map((k) => `| \`${k.prefix}\` | ${k.code} | ${k.canRetry ? 'yes' : 'no'} |`),
      `| anything else (\`FailedOperation\`, \`InvalidAction\`, …) | ${API3_OTHER_ERROR.code} | ${API3_OTHER_ERROR.canRetry ? 'yes' : 'no'} |`,
    ];
    expect(between(doc, '<!-- api3-classes:start', '<!-- api3-classes:end -->')).toBe(rows.join('\n'));
  });
});

describe('the vocabulary', () => {
  const outcomes = createOutcomes(DEFAULT_LIMITS);
  const facts = {
    problem: 'is odd',
    extension: 'txt',
    expectedKind: 'JPEG' as const,
    scope: 'covers:write',
    videoFileId: 'v',
    vod: { code: -10002, message: 'm', codeDesc: 'd' },
    transport: { code: 'VOD_TIMEOUT' as const, message: 'late', canRetry: true },
  };

  it('gives every reason a row in the table, and every case a code, a canRetry and a message', () => {
    const table = outcomes.table();
    for (const reason of UPLOAD_ERROR_REASONS) {
      expect(table).toContain(`| \`${reason}\` |`);
      for (const which of outcomes.casesOf(reason)) {
        const result = outcomes.error(reason, which, facts);
        expect(result).toMatchObject({ ok: false, reason, code: expect.any(Number), canRetry: expect.any(Boolean) });
        expect(result.code).toBeLessThan(0);
        expect(result.message).toMatch(/^[A-Z].*\.$/);
      }
    }
  });

  it.each<[UploadErrorReason, string, number, boolean]>([
    ['FILE_TOO_LARGE', 'size', -10006, false],
    ['UPLOAD_ABORTED', 'file-deadline', -10006, true],
    ['UPLOAD_ABORTED', 'no-file-part', -10006, false],
    ['VOD_REJECTED', 'answer', -10002, false],
    ['VOD_UNAVAILABLE', 'transport', -20001, true],
    ['VOD_UNAVAILABLE', 'busy', -20006, true],
    ['FORBIDDEN', 'rule-failed', -20007, true],
    ['IDEMPOTENCY_KEY_REUSED', 'reused', -20009, false],
  ])('answers %s (%s) with code %i and canRetry %s', (reason, which, code, canRetry) => {
    expect(outcomes.error(reason, which as OutcomeCase<typeof reason>, facts)).toMatchObject({
      ok: false,
      reason,
      code,
      canRetry,
    });
  });
});

describe('a gateway with maxFileSize 1000 on API 3.0', () => {
  it('says 1000 in uploadLimits, in the schema and in its refusal, and lists only the types API 3.0 takes', async () => {
    const gateway = createGateway({
      vod: { secretId: 'id', secretKey: 'key' },
      vodApi: 'v3',
      maxFileSize: 1000,
      logging: false,
      logger: false,
    });
    const res = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          '{ uploadLimits { maxFileSize fileExtensions } __type(name: "UploadErrorReason") { enumValues { name description } } }',
      }),
    });
    const { data } = (await res.json()) as {
      data: { uploadLimits: unknown; __type: { enumValues: { name: string; description: string }[] } };
    };
    expect(data.uploadLimits).toEqual({ maxFileSize: 1000, fileExtensions: ['jpg', 'jpeg', 'png', 'gif'] });
    const described = Object.fromEntries(data.__type.enumValues.map((v) => [v.name, v.description]));
    expect(described['FILE_TOO_LARGE']).toBe(
      'The file is larger than 1,000 bytes, the largest file accepted (uploadLimits.maxFileSize).',
    );
    expect(described['UNSUPPORTED_FILE_TYPE']).toBe('The file extension is not one of jpg, jpeg, png, gif.');
    await gateway.close();
  });

  it('refuses 1,500 bytes with FILE_TOO_LARGE saying 1000, over HTTP', async () => {
    await using h = await startGateway({ gateway: { maxFileSize: 1000 } });
    expect(resultOf(await sendUpload(h.url, { bytes: jpegOfSize(1500), filename: 'a.jpg' }))).toEqual({
      __typename: 'UploadVideoCoverError',
      reason: 'FILE_TOO_LARGE',
      code: -10006,
      canRetry: false,
      message: 'The file is larger than 1000 bytes.',
    });
    expect(h.emulator.callCount).toBe(0);
  });
});

it('follows MAX_FILE_SIZE in the real service: uploadLimits says what it refuses at', async () => {
  await using service = await startService({ MAX_FILE_SIZE: '1000' });
  const { body } = await postGraphql(service.url, '{ uploadLimits { maxFileSize } }');
  expect(body).toEqual({ data: { uploadLimits: { maxFileSize: 1000 } } });
});
