import { STANDARD_IA_EARLIEST_DAY, STORAGE_CLASS_MINIMUM_DAYS, type ArchiveStorageClass, type StorageClass } from './archiveTiers';

/**
 * The first day a lifecycle may take its next step (a colder class, or the expiry when `next` is
 * undefined) after an object entered `previous` on `previousDay`: S3 refuses Standard-IA before day
 * 30, and every class is kept its minimum billed duration, so no early-deletion charge is paid.
 */
export function earliestNextDay(previous: StorageClass, previousDay: number, next: ArchiveStorageClass | undefined): number {
  const earliest = Math.max(1, previousDay + STORAGE_CLASS_MINIMUM_DAYS[previous]);
  return next === 'STANDARD_IA' ? Math.max(earliest, STANDARD_IA_EARLIEST_DAY) : earliest;
}
