import { readFileSync } from 'node:fs';
import type { LocalEndpoints } from './localEndpoints';

/** The file's content, or undefined when it is missing or not a JSON object. */
export function readEndpointsFile(path: string): Partial<LocalEndpoints> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<LocalEndpoints>) : undefined;
  } catch {
    return undefined;
  }
}
