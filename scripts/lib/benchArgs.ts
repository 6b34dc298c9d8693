/** Command line of `npm run bench`. */
import { parseArgs } from 'node:util';
import { helpRequested } from './helpRequested';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { ReplayUsageError } from './replayErrors';

/** Runs per figure when `--runs` is not given: the medians the README quotes. */
export const DEFAULT_BENCH_RUNS = 5;

export interface BenchOptions {
  /** Runs per figure; every figure is the median over them. */
  readonly runs: number;
}

/** The flags `bench` takes; the usage names each of them (a test holds them together). */
export const BENCH_FLAGS = { runs: { type: 'string' } } as const;

export const BENCH_USAGE = `usage: npm run bench [-- --runs N] (N: runs per figure, default ${DEFAULT_BENCH_RUNS})`;
const ALLOWED = '--runs N is the only option';
const RUNS_ALLOWED = 'a whole number of runs, 1 or more';

function runsValueError(value: string): string {
  return `--runs must be ${RUNS_ALLOWED}, got "${value}"`;
}

/** The options of a bench command line, 'help' for `--help`/`-h`, or a one-line ReplayUsageError. */
export function parseBenchArgs(args: readonly string[]): BenchOptions | 'help' {
  if (helpRequested(args)) return 'help';
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof BENCH_FLAGS; allowPositionals: false; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: BENCH_FLAGS, allowPositionals: false, strict: true, tokens: true });
  } catch {
    throw new ReplayUsageError(describeBadArgument(args));
  }
  refuseRepeatedFlags(parsed.tokens, BENCH_FLAGS, (message) => new ReplayUsageError(message));
  const { runs } = parsed.values;
  if (runs === undefined) return { runs: DEFAULT_BENCH_RUNS };
  if (!/^\d+$/.test(runs) || Number(runs) < 1) throw new ReplayUsageError(runsValueError(runs));
  return { runs: Number(runs) };
}

/**
 * One line naming the argument strict parsing refused. parseArgs's own message suggests `--` for
 * positionals, which bench does not take, and does not say what is allowed.
 */
function describeBadArgument(args: readonly string[]): string {
  const { tokens } = parseArgs({ args: [...args], options: BENCH_FLAGS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') return `unexpected argument "${token.value}" (${ALLOWED})`;
    if (token.kind === 'option' && token.name !== 'runs') return `unknown option ${token.rawName} (${ALLOWED})`;
    if (token.kind !== 'option') continue;
    if (token.value === undefined) return `--runs needs a value: ${RUNS_ALLOWED}`;
    // Strict parsing refuses a separate value that starts with a dash (`--runs -5`) as ambiguous.
    if (token.inlineValue !== true && token.value.startsWith('-')) return runsValueError(token.value);
  }
  return `bad arguments "${args.join(' ')}" (${ALLOWED})`;
}
