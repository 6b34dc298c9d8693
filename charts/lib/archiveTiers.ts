/** S3 storage classes the archive uses, with the minimum days S3 bills an object in each. */
export const STORAGE_CLASS_MINIMUM_DAYS = {
  STANDARD: 0,
  STANDARD_IA: 30,
  GLACIER_IR: 90,
  DEEP_ARCHIVE: 180,
} as const;

/** S3 refuses a lifecycle transition to STANDARD_IA earlier than this many days after creation. */
export const STANDARD_IA_EARLIEST_DAY = 30;

/** Days of a year of archive: with the leap days, so archiveYears of raw records are kept that many full years. */
export const DAYS_PER_YEAR = 365.25;

export type StorageClass = keyof typeof STORAGE_CLASS_MINIMUM_DAYS;
export type ArchiveStorageClass = Exclude<StorageClass, 'STANDARD'>;

/** One step of a lifecycle: from `days` after creation the object lives in `storageClass`. */
export interface ArchiveTransition {
  readonly days: number;
  readonly storageClass: ArchiveStorageClass;
}

/** Days after arrival at which raw records move to each colder class (`retention.archiveTiers` in the config). */
export interface ArchiveTiers {
  readonly standardIaDays: number;
  readonly glacierInstantRetrievalDays: number;
  readonly deepArchiveDays: number;
}

/**
 * Raw records are rarely read after the first month (incident analysis, model training): Standard-IA
 * then, Glacier Instant Retrieval (still read in place by Athena) after a quarter, Deep Archive after
 * half a year.
 */
export const DEFAULT_ARCHIVE_TIERS: ArchiveTiers = {
  standardIaDays: 30,
  glacierInstantRetrievalDays: 90,
  deepArchiveDays: 180,
};

/** Each config field of `retention.archiveTiers` with the class it moves raw records to, coldest last. */
export const ARCHIVE_TIER_FIELDS: readonly { readonly field: keyof ArchiveTiers; readonly storageClass: ArchiveStorageClass }[] = [
  { field: 'standardIaDays', storageClass: 'STANDARD_IA' },
  { field: 'glacierInstantRetrievalDays', storageClass: 'GLACIER_IR' },
  { field: 'deepArchiveDays', storageClass: 'DEEP_ARCHIVE' },
];
