import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BUCKET_FORMAT } from '../shared/bucket/constants';
import type { BucketItem } from './types';

type Item = Record<string, AttributeValue>;

/** The attribute of each field (BUCKET_FORMAT); a field of BucketItem without one fails to compile. */
const ATTRIBUTES: { readonly [Field in keyof Required<BucketItem>]: string } = BUCKET_FORMAT.attributes;

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

/**
 * Marshals a bucket item by hand: the lists are long and uniform, and a direct mapping is several
 * times faster than the generic marshaller in the storer's hot loop.
 */
export function encodeBucketItem(item: BucketItem): Item {
  const encoded: Item = {
    [ATTRIBUTES.sensorId]: s(item.sensorId),
    [ATTRIBUTES.minute]: n(item.minute),
    [ATTRIBUTES.assetId]: s(item.assetId),
    [ATTRIBUTES.metric]: s(item.metric),
    [ATTRIBUTES.ts]: { L: item.ts.map(n) },
    [ATTRIBUTES.values]: { L: item.values.map(n) },
    [ATTRIBUTES.qualities]: { L: item.qualities.map(s) },
    [ATTRIBUTES.count]: n(item.count),
    [ATTRIBUTES.statsCount]: n(item.statsCount),
    [ATTRIBUTES.shift]: n(item.shift),
    [ATTRIBUTES.sum]: n(item.sum),
    [ATTRIBUTES.sumSquares]: n(item.sumSquares),
    [ATTRIBUTES.version]: n(item.version),
    [ATTRIBUTES.expiresAt]: n(item.expiresAt),
    [ATTRIBUTES.updatedAt]: n(item.updatedAt),
  };
  if (item.unit !== undefined) encoded[ATTRIBUTES.unit] = s(item.unit);
  if (item.min !== undefined) encoded[ATTRIBUTES.min] = n(item.min);
  if (item.max !== undefined) encoded[ATTRIBUTES.max] = n(item.max);
  return encoded;
}
