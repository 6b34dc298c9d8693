import { BatchFailures } from '../../../functions/shared/BatchFailures';
import { kinesisRecords, telemetry } from '../../helpers/records';

describe('BatchFailures', () => {
  const records = kinesisRecords([telemetry(), telemetry(), telemetry(), telemetry()], 500n);

  test('reports nothing when nothing failed', () => {
    const failures = new BatchFailures(records, { warn: jest.fn() });
    expect(failures.count).toBe(0);
    expect(failures.response()).toEqual({ batchItemFailures: [] });
  });

  test('reports from the lowest failed index on, whatever order failures arrive in', () => {
    const warn = jest.fn();
    const failures = new BatchFailures(records, { warn });
    failures.add(3, new Error('late'), 'commit of pump-1');
    failures.add(1, new Error('early'), 'quarantine');
    expect(failures.count).toBe(2);
    expect(failures.response().batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['501', '502', '503']);
    expect(warn).toHaveBeenCalledWith('quarantine failed; reporting from record 1 on for retry', { error: new Error('early') });
  });

  test('logs the first three failures in full and only counts the rest', () => {
    const warn = jest.fn();
    const failures = new BatchFailures(records, { warn });
    for (let index = 0; index < 4; index++) failures.add(index, new Error('down'), 'status');
    expect(warn).toHaveBeenCalledTimes(3);
    expect(failures.count).toBe(4);
  });
});
