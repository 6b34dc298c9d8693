import { PlatformNames } from './names';

/**
 * Where raw records land, under the prefix the bucket lifecycle tiers: one folder per UTC hour of
 * arrival, Hive-style so query engines see the partitions.
 */
export function rawPrefix(names: PlatformNames): string {
  return `${names.archiveRawPrefix}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`;
}
