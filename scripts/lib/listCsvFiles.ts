import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The `*.csv` files under `dir`, recursively, in natural order (`2.csv` before `10.csv`): bench:skab's order. */
export function listCsvFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return listCsvFiles(path);
      return entry.endsWith('.csv') ? [path] : [];
    });
}
