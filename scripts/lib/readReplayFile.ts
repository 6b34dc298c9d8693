/**
 * Readers of the replay input formats. Both turn a file into samples in the order the detector
 * must see them; label columns are kept beside the samples (for the benchmark and the plot) and
 * never given to the detector.
 */
import { readFileSync } from 'node:fs';
import type { Quality, Sample, SampleValue } from '../../functions/shared/detector';
import { MIN_EPOCH_MS } from '../../functions/shared/query/constants';
import type { ReplayFormat } from './parseReplayFormat';
import { ReplayInputError } from './replayErrors';

/** Column layout of the project's long-format export (one reading per line). */
export const EXPORT_COLUMNS = ['timestamp', 'assetId', 'metric', 'value', 'quality'] as const;
/** `npm run query -- --step raw --format csv` names the time column `t` (as the query API does): read as `timestamp`. */
const QUERY_TIME_COLUMN = 't';

/** SKAB columns that are labels, not metrics. */
const SKAB_TIME_COLUMN = 'datetime';
const SKAB_LABEL_COLUMNS = ['anomaly', 'changepoint'] as const;
const QUALITIES: readonly Quality[] = ['GOOD', 'UNCERTAIN', 'BAD'];

export interface ReplaySample {
  readonly asset: string;
  readonly sample: Sample;
  /** SKAB `anomaly` label of the row (0 or 1) when the file has that column. */
  readonly label?: number;
  /** SKAB `changepoint` label of the row (0 or 1) when the file has that column. */
  readonly changepoint?: number;
}

export interface ReplayFile {
  /** The path as given, as printed in the `file` column (two folders may hold files of one name). */
  readonly name: string;
  /** Metric names in column (or first appearance) order. */
  readonly metrics: readonly string[];
  readonly samples: readonly ReplaySample[];
  /** Whether the file has an `anomaly` label column (SKAB). */
  readonly labelled: boolean;
  /** Whether the file has a `changepoint` label column (SKAB). */
  readonly changepointLabelled: boolean;
}

/** Reads `path`; `name` is the file's name in the result and in every message (the path as the user gave it). */
export function readReplayFile(path: string, format: ReplayFormat, name: string = path): ReplayFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new ReplayInputError(`cannot read ${name}: ${reason}`);
  }
  const file = format === 'skab' ? parseSkab(text, name) : parseExportCsv(text, name);
  if (file.samples.length === 0) throw new ReplayInputError(`${name}: no data rows after the header`);
  return file;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  if (lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
  return lines;
}

function cellError(file: string, line: number, column: number, header: string, cell: string, expected: string): ReplayInputError {
  return new ReplayInputError(`${file}: line ${line}, column ${column} (${header}): ${expected}, got "${cell}"`);
}

function parseNumberCell(cell: string, file: string, line: number, column: number, header: string): number {
  const value = Number(cell);
  if (cell.trim() === '' || Number.isNaN(value)) throw cellError(file, line, column, header, cell, 'not a number');
  // A reading of Infinity (or 1e999) is a broken export, not a value to judge.
  if (!Number.isFinite(value)) throw cellError(file, line, column, header, cell, 'not a finite number');
  return value;
}

/**
 * Epoch milliseconds of a cell holding epoch milliseconds, epoch seconds (told apart by size: a number
 * below MIN_EPOCH_MS is seconds, as ms it would fall before March 1973, as seconds the bound is the
 * year 5138) or an ISO-like date (`2020-03-09 10:14:33`, read as UTC).
 */
function parseTimeCell(cell: string, file: string, line: number, column: number, header: string): number {
  const trimmed = cell.trim();
  if (trimmed !== '' && /^-?\d+(\.\d+)?$/.test(trimmed)) {
    const value = Number(trimmed);
    return Math.abs(value) < MIN_EPOCH_MS ? Math.round(value * 1000) : value;
  }
  const iso = trimmed.includes('T') ? trimmed : trimmed.replace(' ', 'T');
  const withZone = /(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) throw cellError(file, line, column, header, cell, 'not a date, epoch seconds or epoch milliseconds');
  return ms;
}

/**
 * SKAB: `;`-separated, a `datetime` column, any number of metric columns, optional `anomaly` and
 * `changepoint` label columns. One sample per data row, every metric GOOD.
 */
function parseSkab(text: string, file: string): ReplayFile {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').split(';').map((name) => name.trim());
  const timeColumn = header.indexOf(SKAB_TIME_COLUMN);
  if (timeColumn < 0) throw new ReplayInputError(`${file}: line 1: missing "${SKAB_TIME_COLUMN}" column in header "${lines[0] ?? ''}"`);
  const [labelColumn, changepointColumn] = SKAB_LABEL_COLUMNS.map((name) => header.indexOf(name));
  const metricColumns = header
    .map((name, column) => ({ name, column }))
    .filter(({ name, column }) => column !== timeColumn && !(SKAB_LABEL_COLUMNS as readonly string[]).includes(name));
  if (metricColumns.length === 0) throw new ReplayInputError(`${file}: line 1: no metric columns in header "${lines[0]}"`);
  if (new Set(metricColumns.map((entry) => entry.name)).size !== metricColumns.length) {
    throw new ReplayInputError(`${file}: line 1: duplicate column names in header "${lines[0]}"`);
  }
  const samples: ReplaySample[] = [];
  for (let lineIndex = 1; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim() === '') continue;
    const lineNumber = lineIndex + 1;
    const cells = line.split(';');
    if (cells.length !== header.length) {
      throw new ReplayInputError(`${file}: line ${lineNumber}: expected ${header.length} cells, got ${cells.length}`);
    }
    const ts = parseTimeCell(cells[timeColumn], file, lineNumber, timeColumn + 1, header[timeColumn]);
    const values: Record<string, SampleValue> = {};
    for (const { name, column } of metricColumns) {
      if (cells[column].trim() === '') continue; // an empty cell is a missing reading
      values[name] = { value: parseNumberCell(cells[column], file, lineNumber, column + 1, name), quality: 'GOOD' };
    }
    const flag = (column: number): number | undefined =>
      column < 0 ? undefined : parseNumberCell(cells[column], file, lineNumber, column + 1, header[column]) > 0 ? 1 : 0;
    const label = flag(labelColumn);
    const changepoint = flag(changepointColumn);
    samples.push({
      asset: file,
      sample: { ts, values },
      ...(label === undefined ? {} : { label }),
      ...(changepoint === undefined ? {} : { changepoint }),
    });
  }
  return {
    name: file,
    metrics: metricColumns.map((entry) => entry.name),
    samples,
    labelled: labelColumn >= 0,
    changepointLabelled: changepointColumn >= 0,
  };
}

/**
 * The project's export: `timestamp,assetId,metric,value,quality` (or `npm run query`'s raw CSV,
 * `assetId,metric,t,value,quality`), one reading per line, columns in any order. Readings
 * of one asset at one timestamp form one sample; samples are replayed in time order (stable, so
 * readings exported sensor by sensor replay the same as readings exported in time order).
 */
function parseExportCsv(text: string, file: string): ReplayFile {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const columns = EXPORT_COLUMNS.map((name) => {
    const index = header.indexOf(name);
    return index < 0 && name === 'timestamp' ? header.indexOf(QUERY_TIME_COLUMN) : index;
  });
  const missing = EXPORT_COLUMNS.filter((_, i) => columns[i] < 0);
  if (missing.length > 0) {
    throw new ReplayInputError(`${file}: line 1: missing column(s) ${missing.join(', ')} in header "${lines[0] ?? ''}" (expected ${EXPORT_COLUMNS.join(',')}, or ${QUERY_TIME_COLUMN} for timestamp as npm run query --step raw --format csv writes it)`);
  }
  const [tsColumn, assetColumn, metricColumn, valueColumn, qualityColumn] = columns;
  const byKey = new Map<string, { asset: string; ts: number; order: number; values: Record<string, SampleValue> }>();
  const metrics = new Set<string>();
  for (let lineIndex = 1; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim() === '') continue;
    const lineNumber = lineIndex + 1;
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new ReplayInputError(`${file}: line ${lineNumber}: expected ${header.length} cells, got ${cells.length}`);
    }
    const ts = parseTimeCell(cells[tsColumn], file, lineNumber, tsColumn + 1, 'timestamp');
    const asset = cells[assetColumn].trim();
    const metric = cells[metricColumn].trim();
    if (asset === '') throw cellError(file, lineNumber, assetColumn + 1, 'assetId', cells[assetColumn], 'empty asset id');
    if (metric === '') throw cellError(file, lineNumber, metricColumn + 1, 'metric', cells[metricColumn], 'empty metric name');
    const qualityCell = cells[qualityColumn].trim();
    const quality = (qualityCell === '' ? 'GOOD' : qualityCell) as Quality;
    if (!QUALITIES.includes(quality)) {
      throw cellError(file, lineNumber, qualityColumn + 1, 'quality', cells[qualityColumn], `not one of ${QUALITIES.join(', ')}`);
    }
    // A BAD reading may come without a value; any other reading needs a number.
    const value =
      quality === 'BAD' && cells[valueColumn].trim() === ''
        ? Number.NaN
        : parseNumberCell(cells[valueColumn], file, lineNumber, valueColumn + 1, 'value');
    metrics.add(metric);
    const key = `${asset}\u0000${ts}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { asset, ts, order: byKey.size, values: {} };
      byKey.set(key, entry);
    }
    entry.values[metric] = { value, quality };
  }
  const samples = [...byKey.values()]
    .sort((a, b) => a.ts - b.ts || a.order - b.order)
    .map(({ asset, ts, values }) => ({ asset, sample: { ts, values } }));
  return { name: file, metrics: [...metrics], samples, labelled: false, changepointLabelled: false };
}
