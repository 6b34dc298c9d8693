import { QueryInputError } from '../../../../functions/shared/errors';
import { parseInstant } from '../../../../functions/shared/query/parseInstant';

const options = { parameter: 'from', now: Date.UTC(2026, 11, 2), allowRelative: false };
const refused = (text: string): QueryInputError =>
  new QueryInputError('from', `from must be ISO 8601 with a zone (2026-01-01T00:00:00Z) or epoch ms, got ${JSON.stringify(text)}`);

describe('parseInstant', () => {
  it.each(['2026-02-30T00:00:00Z', '2026-02-31', '2026-13-01', '2026-00-10', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2025-02-29'])(
    'refuses a date or time that does not exist (%s) instead of reading another day',
    (text) => {
      expect(() => parseInstant(text, options)).toThrow(refused(text));
    },
  );

  it('reads real dates, the last day of a leap February and offsets included', () => {
    expect(parseInstant('2028-02-29', options)).toBe(Date.UTC(2028, 1, 29));
    expect(parseInstant('2026-12-31T23:59:59.5Z', options)).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 500));
    expect(parseInstant('2026-06-30T21:00:00-03:00', options)).toBe(Date.UTC(2026, 6, 1));
  });
});
