import { resolveUserPath } from './resolveUserPath';

/**
 * A path flag's value resolved from the folder the user ran the tool in (resolveUserPath), or, when the flag
 * is not given, `fallback` as it stands: defaults name the repository's own folders (`.local/certs`), which
 * npm runs every tool from, or are undefined for a flag without one.
 */
export function userPathOr<Fallback extends string | undefined>(value: string | undefined, fallback: Fallback): string | Fallback {
  return value === undefined ? fallback : resolveUserPath(value);
}
