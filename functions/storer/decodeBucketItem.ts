import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { decodeMinuteBucket } from '../shared/bucket/decodeMinuteBucket';
import type { BucketItem } from './types';

type Item = Record<string, AttributeValue>;

/**
 * Reads a whole bucket item back through the shared decoder (decodeMinuteBucket, as the read path
 * does), as the storer's BucketItem; CorruptItemError if it is not one this code wrote.
 */
export function decodeBucketItem(item: Item): BucketItem {
  const { readings, ...bucket } = decodeMinuteBucket(item, 'whole');
  return { ...bucket, ...readings };
}
