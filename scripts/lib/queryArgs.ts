import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { QueryInputError } from '../../functions/shared/errors';
import { AGGREGATES, STEP_NAMES } from '../../functions/shared/query/constants';
import { parseInstant } from '../../functions/shared/query/parseInstant';
import type { SeriesParameters } from '../../functions/shared/query/types';
import { helpRequested } from './helpRequested';
import { joinRelativeTimes } from './joinRelativeTimes';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { resolveUserPath } from './resolveUserPath';

export const QUERY_USAGE =
  'usage: query --env <env> (--asset A [--metric M] | --line L [--metric M]) --from <ISO|epoch ms|-6h> [--to ...] [--step 1m|5m|15m|1h|1d|raw] [--agg avg,max] [--format table|csv|json] [--plot out.svg] [--local]';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the command line asks for: one sensor, every sensor of an asset, a line's assets (or one metric of each). */
export interface QueryCliOptions {
  readonly environment: string;
  readonly target: { readonly kind: 'asset'; readonly assetId: string } | { readonly kind: 'line'; readonly lineId: string };
  /** The series parameters as given (checked by parseSeriesQuery); `metric` absent for every metric of the asset. */
  readonly series: SeriesParameters;
  readonly format: OutputFormat;
  readonly plotPath?: string;
  /** Read the tables of the environment's local pipeline (`npm run local`) instead of AWS. */
  readonly local: boolean;
}

/** The flags `query` takes; the usage names each of them (a test holds them together). */
export const QUERY_FLAGS = {
  env: { type: 'string' },
  asset: { type: 'string' },
  line: { type: 'string' },
  metric: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  step: { type: 'string' },
  agg: { type: 'string' },
  format: { type: 'string' },
  plot: { type: 'string' },
  local: { type: 'boolean' },
} as const;

/** The flag each series parameter comes from, for error messages. */
export const SERIES_FLAGS: Readonly<Record<keyof SeriesParameters | 'lineId', string>> = {
  assetId: '--asset',
  metric: '--metric',
  from: '--from',
  to: '--to',
  step: '--step',
  agg: '--agg',
  lineId: '--line',
};

/**
 * The plot is written after the read: a path that cannot take the file is refused before it, not
 * after minutes of reading (a folder that is missing, or a directory where the file should go).
 * Checked where it will be written (from the user's folder); named as given.
 */
function checkPlotPath(path: string): void {
  if (!path.endsWith('.svg')) throw new QueryInputError('--plot', `--plot must name an .svg file, got ${JSON.stringify(path)}`);
  const target = resolveUserPath(path);
  if (statSync(dirname(target), { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new QueryInputError('--plot', `--plot must name an .svg file in an existing folder, got ${JSON.stringify(path)} (${dirname(path)} is not a folder)`);
  }
  if (statSync(target, { throwIfNoEntry: false })?.isDirectory() === true) throw new QueryInputError('--plot', `--plot must name an .svg file, got ${JSON.stringify(path)}, which is a directory`);
}

/**
 * The read path takes an empty parameter for one not given (a URL's `agg=`, `to=`), but on the command line
 * `--agg ""` or `--to ""` is a mistake (an unset shell variable), refused as `--agg ,avg` is rather than read as the default.
 */
function refuseEmptySeriesValues(values: { readonly from?: string; readonly to?: string; readonly step?: string; readonly agg?: string }): void {
  // The read path reads `to=` as now; parseInstant refuses an empty time in the words it refuses any other.
  for (const flag of ['from', 'to'] as const) if (values[flag] === '') parseInstant('', { parameter: `--${flag}`, now: Date.now(), allowRelative: true });
  if (values.step === '') throw new QueryInputError('--step', `--step must be one of ${STEP_NAMES.join(', ')}, got ""`);
  if (values.agg === '') throw new QueryInputError('--agg', `--agg must be a comma-separated list of ${AGGREGATES.join(', ')}, got ""`);
}

/** Parses the command line: 'help' for `--help`/`-h`; every error is a one-line QueryInputError naming the flag (exit 2). */
export function parseQueryArgs(args: readonly string[]): QueryCliOptions | 'help' {
  if (helpRequested(args)) return 'help';
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof QUERY_FLAGS; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: joinRelativeTimes(args), options: QUERY_FLAGS, strict: true, tokens: true });
  } catch (error) {
    // parseArgs names the flag; its message is one sentence.
    throw new QueryInputError('arguments', `${(error as Error).message.split('\n')[0]}; ${QUERY_USAGE}`);
  }
  refuseRepeatedFlags(parsed.tokens, QUERY_FLAGS, (message, flag) => new QueryInputError(flag, message));
  const { values } = parsed;
  if (values.env === undefined) throw new QueryInputError('--env', `--env is required; ${QUERY_USAGE}`);
  if ((values.asset === undefined) === (values.line === undefined)) throw new QueryInputError('--asset', `give exactly one of --asset and --line; ${QUERY_USAGE}`);
  const format = values.format ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new QueryInputError('--format', `--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  if (values.plot !== undefined) checkPlotPath(values.plot);
  refuseEmptySeriesValues(values);
  if (values.line !== undefined && values.metric === undefined && values.from !== undefined) {
    throw new QueryInputError('--metric', '--line with --from needs --metric (one metric of every asset of the line); --line alone lists the assets');
  }
  return {
    environment: values.env,
    target: values.asset !== undefined ? { kind: 'asset', assetId: values.asset } : { kind: 'line', lineId: values.line ?? '' },
    series: {
      ...(values.asset === undefined ? {} : { assetId: values.asset }),
      ...(values.metric === undefined ? {} : { metric: values.metric }),
      ...(values.from === undefined ? {} : { from: values.from }),
      ...(values.to === undefined ? {} : { to: values.to }),
      ...(values.step === undefined ? {} : { step: values.step }),
      ...(values.agg === undefined ? {} : { agg: values.agg }),
    },
    format: format as OutputFormat,
    ...(values.plot === undefined ? {} : { plotPath: values.plot }),
    local: values.local === true,
  };
}
