import { base64DecodedLength } from '../../../functions/shared/base64DecodedLength';
import { decodeRecordData, MAX_RECORD_BYTES } from '../../../functions/shared/decodeRecordData';
import { ValidationError } from '../../../functions/shared/errors';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('decodeRecordData', () => {
  it('decodes base64 JSON', () => {
    expect(decodeRecordData(b64('{"a":[1,"é"]}'))).toEqual({ a: [1, 'é'] });
  });

  it('computes the decoded length from the base64 text', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'é'.repeat(7)]) {
      expect(base64DecodedLength(b64(text))).toBe(Buffer.byteLength(text));
    }
  });

  it('rejects invalid JSON with the parser message', () => {
    expect(() => decodeRecordData(b64('{"a":'))).toThrow(ValidationError);
    expect(() => decodeRecordData(b64('{"a":'))).toThrow(/^record is not JSON: /);
  });

  it('accepts a record of exactly the limit and rejects one byte more before decoding', () => {
    const atLimit = `"${'x'.repeat(MAX_RECORD_BYTES - 2)}"`;
    expect(decodeRecordData(b64(atLimit))).toHaveLength(MAX_RECORD_BYTES - 2);
    const over = `"${'x'.repeat(MAX_RECORD_BYTES - 1)}"`;
    expect(() => decodeRecordData(b64(over))).toThrow(`record is ${MAX_RECORD_BYTES + 1} bytes, more than ${MAX_RECORD_BYTES}`);
  });

  it('names the oversize reason', () => {
    try {
      decodeRecordData(b64(' '.repeat(200 * 1024)));
    } catch (error) {
      expect((error as ValidationError).reason).toBe('OVERSIZED');
      return;
    }
    throw new Error('expected a ValidationError');
  });
});
