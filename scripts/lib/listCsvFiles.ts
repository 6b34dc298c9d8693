import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { naturalOrder } from './naturalOrder';
import { ReplayInputError } from './replayErrors';

/** Called for an entry left out of the listing: its path and why (a folder named in the reason is relative to the listed folder). */
export type SkippedEntry = (path: string, reason: string) => void;

/**
 * The `*.csv` files under `dir`, recursively, in natural order (`2.csv` before `10.csv`): bench:skab's order.
 * Symbolic links are followed, but a dangling link, a loop of links and a second way into a folder
 * already listed (a link back to an ancestor, say) are left out and reported to `onSkip`: following
 * them would crash, recurse forever or score files twice.
 * Any other unreadable entry is refused with one line (a benchmark must not silently lose a file).
 */
export function listCsvFiles(dir: string, onSkip: SkippedEntry = () => undefined): string[] {
  return listFolder(dir, dir, new Map([[realpathOf(dir), dir]]), onSkip);
}

/** `listed`: the real path of every folder listed so far, to the path it was listed under. */
function listFolder(root: string, dir: string, listed: Map<string, string>, onSkip: SkippedEntry): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new ReplayInputError(`cannot read folder ${dir}: ${fsReason(error)}`);
  }
  return entries
    .sort(naturalOrder)
    .flatMap((entry) => {
      const path = join(dir, entry);
      let stats: Stats;
      try {
        stats = statSync(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // ENOTDIR: the link's target passes through a file, so it names nothing either.
        if (code === 'ENOENT' || code === 'ENOTDIR') return skip(onSkip, path, 'dangling symbolic link');
        if (code === 'ELOOP') return skip(onSkip, path, 'loop of symbolic links');
        throw new ReplayInputError(`cannot read ${path}: ${fsReason(error)}`);
      }
      if (stats.isDirectory()) {
        // Real paths catch a link back to an ancestor (which would recurse forever) and a second way into one folder.
        const real = realpathOf(path);
        const first = listed.get(real);
        if (first !== undefined) return skip(onSkip, path, `same folder as ${relative(root, first) || '.'}, already listed`);
        listed.set(real, path);
        return listFolder(root, path, listed, onSkip);
      }
      return entry.endsWith('.csv') ? [path] : [];
    });
}

function skip(onSkip: SkippedEntry, path: string, reason: string): string[] {
  onSkip(path, reason);
  return [];
}

function realpathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    throw new ReplayInputError(`cannot read folder ${path}: ${fsReason(error)}`);
  }
}

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message);
}
