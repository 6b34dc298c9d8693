import { ARCHIVE_TIER_FIELDS, type ArchiveTiers, type ArchiveTransition } from './archiveTiers';

/** The raw prefix's transitions, in lifecycle order. */
export function rawTransitions(tiers: ArchiveTiers): ArchiveTransition[] {
  return ARCHIVE_TIER_FIELDS.map(({ field, storageClass }) => ({ days: tiers[field], storageClass }));
}
