import { EnvironmentConfig } from './config';
import { platformTags } from './platformTags';

/** Tags as ACK's `[{key, value}]` list shape, sorted by key for stable output. */
export function tagList(config: EnvironmentConfig): { key: string; value: string }[] {
  return Object.entries(platformTags(config)).map(([key, value]) => ({ key, value }));
}
