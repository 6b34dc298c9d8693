/**
 * A Lambda function's code change, named by the source files and packages it was bundled from
 * (the `telemetry.plant/bundle-*` annotations of BundledFunction) instead of by its base64 zip.
 */
import { BUNDLE_ANNOTATIONS } from '../../charts/constructs/BundledFunction';
import { isObject } from './isObject';
import type { CodeChange } from './manifestDiffTypes';
import { JsonObject } from './manifestDiffValues';

interface SourceList {
  /** Path → 12 hex digits of its SHA-256. */
  readonly sources: Map<string, string>;
  /** Package name → version. */
  readonly packages: Map<string, string>;
}

function codeOf(object: JsonObject): { zip: unknown; sha256: unknown; inputs: unknown; list: SourceList | undefined } {
  const spec = isObject(object.spec) ? object.spec : {};
  const code = isObject(spec.code) ? spec.code : {};
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  const lines = annotations[BUNDLE_ANNOTATIONS.sources];
  return { zip: code.zipFile, sha256: code.sha256, inputs: annotations[BUNDLE_ANNOTATIONS.inputsSha256], list: typeof lines === 'string' ? parseSourceLines(lines) : undefined };
}

/** Reads `<12 hex> <path>` lines (sources) and `<name>@<version>` lines (packages). */
function parseSourceLines(text: string): SourceList {
  const sources = new Map<string, string>();
  const packages = new Map<string, string>();
  for (const line of text.split('\n').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const source = /^([0-9a-f]+) (.+)$/.exec(line);
    const at = line.lastIndexOf('@');
    if (source) sources.set(source[2], source[1]);
    else if (at > 0) packages.set(line.slice(0, at), line.slice(at + 1));
    else packages.set(line, '');
  }
  return { sources, packages };
}

/** The code change between two renderings of a function, or undefined when its code is the same. */
export function diffCode(before: JsonObject, after: JsonObject): CodeChange | undefined {
  const old = codeOf(before);
  const now = codeOf(after);
  const bundleChanged = old.zip !== now.zip || old.sha256 !== now.sha256;
  if (!bundleChanged && old.inputs === now.inputs && sameList(old.list, now.list)) return undefined;
  if (old.list === undefined) return { type: 'code', bundleChanged, note: bundleChanged ? 'no source list in the base rendering' : 'source list added' };
  if (now.list === undefined) return { type: 'code', bundleChanged, note: bundleChanged ? 'no source list in the new rendering' : 'source list removed' };
  const paths = [...new Set([...old.list.sources.keys(), ...now.list.sources.keys()])].sort();
  const sources = {
    changed: paths.filter((path) => old.list?.sources.has(path) && now.list?.sources.has(path) && old.list.sources.get(path) !== now.list.sources.get(path)),
    added: paths.filter((path) => !old.list?.sources.has(path)),
    removed: paths.filter((path) => !now.list?.sources.has(path)),
    packages: [...new Set([...old.list.packages.keys(), ...now.list.packages.keys()])]
      .sort()
      .filter((name) => old.list?.packages.get(name) !== now.list?.packages.get(name))
      .map((name) => ({ name, before: old.list?.packages.get(name), after: now.list?.packages.get(name) })),
  };
  const same = sources.changed.length + sources.added.length + sources.removed.length + sources.packages.length === 0;
  // Same inputs, other zip: the bundler or its settings changed, not the code.
  return { type: 'code', bundleChanged, sources, ...(same ? { note: 'same sources and packages; the bundler or its settings changed' } : {}) };
}

function sameList(a: SourceList | undefined, b: SourceList | undefined): boolean {
  const flat = (list: SourceList | undefined): string => (list === undefined ? '' : JSON.stringify([[...list.sources], [...list.packages]]));
  return flat(a) === flat(b);
}
