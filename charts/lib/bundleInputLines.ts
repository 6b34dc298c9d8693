import { SOURCE_HASH_DIGITS, type BundleInputs } from './bundle';

/** The bundle inputs as the lines of a manifest annotation: `<hash> <path>` per source, then `<name>@<version>` per package. */
export function bundleInputLines(inputs: BundleInputs): string {
  return [...inputs.sources.map(({ path, sha256 }) => `${sha256.slice(0, SOURCE_HASH_DIGITS)} ${path}`), ...inputs.packages].join('\n');
}
