import { DAYS_PER_YEAR } from './archiveTiers';

/** The day raw records expire: archiveYears full years, leap days counted. */
export function rawExpirationDays(archiveYears: number): number {
  return Math.ceil(archiveYears * DAYS_PER_YEAR);
}
