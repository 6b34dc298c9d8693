import { QueryInputError } from '../../../../functions/shared/errors';
import { MIN_EPOCH_MS } from '../../../../functions/shared/query/constants';
import { parseInstant } from '../../../../functions/shared/query/parseInstant';
import { parseSeriesQuery } from '../../../../functions/shared/query/parseSeriesQuery';
import { planQuery } from '../../../../scripts/lib/planQuery';
import { parseQueryArgs, type QueryCliOptions } from '../../../../scripts/lib/queryArgs';
import { parseRedriveArgs } from '../../../../scripts/lib/redriveArgs';

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

  describe('a number is epoch ms from 1973-03-03 on; a smaller one is refused, not read as a time of 1970', () => {
    const tooSmall = (text: string, hint: string, parameter = 'from', forms = 'ISO 8601 with a zone (2026-01-01T00:00:00Z) or epoch ms of 1973-03-03T09:46:40Z or later (100000000000 or more)'): QueryInputError =>
      new QueryInputError(parameter, `${parameter} must be ${forms}, got ${JSON.stringify(text)}${hint}`);

    it.each([
      ['a compact date (YYYYMMDD)', '20260101', '; for a day write it as 2026-01-01'],
      ['a compact date of a leap day', '20280229', '; for a day write it as 2028-02-29'],
      ['epoch seconds', '1767225600', '; for epoch seconds write 1767225600000'],
      ['the largest number below the bound', '99999999999', '; for epoch seconds write 99999999999000'],
      ['eight digits that are no date', '20261301', ''],
      ['zero', '0', ''],
      ['twelve digits with leading zeros', '000000000001', ''],
    ])('%s (%s)', (_case, text, hint) => {
      expect(() => parseInstant(text, options)).toThrow(tooSmall(text, hint));
    });

    it('the CLI\'s message lists its relative forms too, and names the flag', () => {
      expect(() => parseInstant('20260101', { ...options, parameter: '--from', allowRelative: true })).toThrow(
        tooSmall('20260101', '; for a day write it as 2026-01-01', '--from', 'ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms of 1973-03-03T09:46:40Z or later (100000000000 or more), now, or -<n><s|m|h|d> (-6h)'),
      );
    });

    it('every caller refuses it: the query function\'s from/to, npm run query\'s and npm run redrive\'s --from/--to', () => {
      const now = Date.UTC(2026, 0, 2);
      const hint = '; for a day write it as 2026-01-01';
      const cliForms = 'ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms of 1973-03-03T09:46:40Z or later (100000000000 or more), now, or -<n><s|m|h|d> (-6h)';
      expect(() => parseSeriesQuery({ assetId: 'pump-07', metric: 'temperature', from: '20260101' }, { now, allowRelative: false })).toThrow(tooSmall('20260101', hint));
      const query = (args: string[]): unknown => planQuery(parseQueryArgs(['--env', 'dev', ...args]) as QueryCliOptions, { environment: 'dev', lines: ['line-a'] }, now);
      expect(() => query(['--asset', 'pump-07', '--metric', 'temperature', '--from', '20260101'])).toThrow(tooSmall('20260101', hint, '--from', cliForms));
      expect(() => query(['--line', 'line-a', '--to', '20260101'])).toThrow(tooSmall('20260101', hint, '--to', cliForms));
      expect(() => parseRedriveArgs(['--env', 'dev', '--quarantine', 'iot', '--from', '20260101'], now)).toThrow(tooSmall('20260101', hint, '--from', cliForms).message);
    });

    it('reads epoch ms from the bound on: the bound is 1973-03-03T09:46:40Z, the first 12-digit number', () => {
      expect(MIN_EPOCH_MS).toBe(100_000_000_000);
      expect(new Date(MIN_EPOCH_MS).toISOString()).toBe('1973-03-03T09:46:40.000Z');
      expect(parseInstant('100000000000', options)).toBe(MIN_EPOCH_MS);
      expect(parseInstant(' 1767225600000 ', options)).toBe(Date.UTC(2026, 0, 1));
    });
  });

  it('reads real dates, the last day of a leap February and offsets included', () => {
    expect(parseInstant('2028-02-29', options)).toBe(Date.UTC(2028, 1, 29));
    expect(parseInstant('2026-12-31T23:59:59.5Z', options)).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 500));
    expect(parseInstant('2026-06-30T21:00:00-03:00', options)).toBe(Date.UTC(2026, 6, 1));
  });
});
