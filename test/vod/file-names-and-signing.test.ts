import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkQuery, parseQuery, type CheckContext } from '../../src/emulator/check-request.js';
import { splitFileName } from '../../src/upload/file-name.js';
import { IMAGE_EXTENSIONS } from '../../src/upload/image-type.js';
import { FORBIDDEN_FILE_NAME_CHARS } from '../../src/vod/cover-rules.js';
import { VodCode } from '../../src/vod/legacy/protocol.js';
import { encodeQuery, signQuery, toSigningKey } from '../../src/vod/legacy/sign.js';

const forbidden = new Set<string>([...FORBIDDEN_FILE_NAME_CHARS, '/']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const isControl = (c: string) => /[\u0000-\u001f\u007f]/.test(c);
/** A code point a valid name may hold: any but the forbidden ones and controls. */
const nameChar = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
  .filter((c) => [...c].every((p) => !forbidden.has(p) && !isControl(p)));
const stem = fc
  .array(nameChar, { minLength: 1, maxLength: 40 })
  .map((cs) => cs.join(''))
  .filter((s) => [...s].length <= 40 && s !== '' && !s.endsWith('.'));

describe('file-name rules (property)', () => {
  it('splits any valid stem with an accepted extension back into that stem, NFC-normalized', () => {
    fc.assert(
      fc.property(stem, fc.constantFrom(...IMAGE_EXTENSIONS), fc.boolean(), (name, ext, upper) => {
        const result = splitFileName(`${name}.${upper ? ext.toUpperCase() : ext}`);
        expect(result).toEqual({ ok: true, fileName: name.normalize('NFC'), fileType: ext });
      }),
    );
  });

  it('drops any client path', () => {
    fc.assert(
      fc.property(fc.array(stem, { maxLength: 4 }), fc.constantFrom('/', '\\'), stem, (dirs, sep, name) => {
        const result = splitFileName(`${[...dirs, `${name}.jpg`].join(sep)}`);
        expect(result).toMatchObject({ ok: true, fileName: name.normalize('NFC') });
      }),
    );
  });

  it('refuses any name holding a forbidden character or a control character', () => {
    // `/` and `\` separate the client's path (dropped), so they never reach the rules.
    const bad = fc.constantFrom(
      ...FORBIDDEN_FILE_NAME_CHARS.filter((c) => c !== '\\' && c !== '/'),
      '\u0000',
      '\r',
      '\n',
      '\u007f',
    );
    fc.assert(
      fc.property(stem, bad, stem, (before, c, after) => {
        expect(splitFileName(`${before}${c}${after}.png`)).toMatchObject({ ok: false, reason: 'INVALID_FILE_NAME' });
      }),
    );
  });

  it('refuses any name longer than 40 characters', () => {
    fc.assert(
      fc.property(fc.array(nameChar, { minLength: 41, maxLength: 80 }), (cs) => {
        expect(splitFileName(`${cs.join('')}.gif`)).toMatchObject({ ok: false, reason: 'INVALID_FILE_NAME' });
      }),
    );
  });
});

describe('signer ↔ emulator round trip (property)', () => {
  const secretKey = 'property-test-secret';
  const ctx = (nowSeconds: number): CheckContext => ({
    method: 'POST',
    host: 'vod2.qcloud.com',
    path: '/v2/index.php',
    nowSeconds,
    clockSkewSeconds: 7200,
    maxFileSize: 1_048_576,
    keys: new Map([['AKIDproperty', toSigningKey(secretKey)]]),
  });
  const params = (fileName: string, method: string) => ({
    Action: 'SmallFileUpload',
    Region: 'gz',
    Timestamp: '1700000000',
    Nonce: '12345',
    SecretId: 'AKIDproperty',
    SignatureMethod: method,
    fileName,
    fileSha: 'a'.repeat(40),
    fileSize: '10',
    dataSize: '10',
    fileType: 'jpg',
    'extra.usage': '1',
    'extra.fileId': 'video_1',
  });

  it('verifies what it signs, through the wire encoding, for any Unicode file name', () => {
    fc.assert(
      fc.property(stem, fc.constantFrom('HmacSHA1', 'HmacSHA256'), (fileName, method) => {
        const signed = signQuery(params(fileName, method), {
          method: 'POST',
          host: 'vod2.qcloud.com',
          path: '/v2/index.php',
          secretKey,
        });
        const parsed = parseQuery(encodeQuery(signed));
        expect(parsed?.get('fileName')).toBe(fileName);
        expect(checkQuery(parsed, ctx(1_700_000_000))).toMatchObject({ ok: true, upload: { fileName } });
      }),
    );
  });

  it('refuses the same request with any one parameter value changed after signing', () => {
    fc.assert(
      fc.property(stem, fc.constantFrom('Nonce', 'fileName', 'extra.fileId', 'Region'), (fileName, changed) => {
        const signed = signQuery(params(fileName, 'HmacSHA1'), {
          method: 'POST',
          host: 'vod2.qcloud.com',
          path: '/v2/index.php',
          secretKey,
        });
        const tampered = {
          ...signed,
          [changed]: changed === 'Nonce' ? '54321' : changed === 'Region' ? 'sh' : `${signed[changed]}x`,
        };
        expect(checkQuery(parseQuery(encodeQuery(tampered)), ctx(1_700_000_000))).toMatchObject({
          ok: false,
          code: VodCode.SIGNATURE,
        });
      }),
    );
  });
});
