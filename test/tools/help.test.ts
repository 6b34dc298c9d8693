import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_SKAB_FLAGS, BENCH_SKAB_USAGE, parseBenchSkabArgs, runBenchSkab } from '../../scripts/benchSkab';
import { runDiff, type DiffIo } from '../../scripts/diff';
import { REPLAY_FLAGS, REPLAY_USAGE, parseReplayArgs, runReplay } from '../../scripts/replay';
import { BENCH_FLAGS, BENCH_USAGE, parseBenchArgs } from '../../scripts/lib/benchArgs';
import { COST_FLAGS, COST_USAGE, parseCostArgs } from '../../scripts/lib/costArgs';
import { SIMULATE_FLAGS, SIMULATE_USAGE, parseSimulateArgs } from '../../scripts/lib/fleet/parseSimulateArgs';
import { helpRequested } from '../../scripts/lib/helpRequested';
import { IMPORT_USAGE, parseImportArgs } from '../../scripts/lib/importArgs';
import { LOADTEST_FLAGS, LOADTEST_USAGE, parseLoadtestArgs } from '../../scripts/lib/local/parseLoadtestArgs';
import { LOCAL_FLAGS, LOCAL_USAGE, parseLocalArgs } from '../../scripts/lib/local/parseLocalArgs';
import { DIFF_FLAGS, DIFF_USAGE, parseDiffArgs } from '../../scripts/lib/manifestDiffArgs';
import { PROOF_FLAGS, PROOF_USAGE, parseProofArgs } from '../../scripts/lib/policyProofArgs';
import { PREFLIGHT_FLAGS, PREFLIGHT_USAGE, parsePreflightArgs } from '../../scripts/lib/preflightArgs';
import { QUERY_FLAGS, QUERY_USAGE, parseQueryArgs } from '../../scripts/lib/queryArgs';
import { REDRIVE_FLAGS, REDRIVE_USAGE, parseRedriveArgs } from '../../scripts/lib/redriveArgs';
import { SYNTH_FLAGS, SYNTH_USAGE, parseSynthArgs } from '../../scripts/lib/synthArgs';

const REPOSITORY = resolve(__dirname, '../..');

interface Tool {
  /** The tool's command-line parser: 'help' when the command line asks for it. */
  readonly parse: (args: readonly string[]) => unknown;
  readonly usage: string;
  /** The parser's flags (parseArgs options), each of which the usage must name. */
  readonly flags: Readonly<Record<string, unknown>>;
}

/** Every operator tool by its npm script. */
const TOOLS: Readonly<Record<string, Tool>> = {
  import: { parse: parseImportArgs, usage: IMPORT_USAGE, flags: {} },
  synth: { parse: parseSynthArgs, usage: SYNTH_USAGE, flags: SYNTH_FLAGS },
  bench: { parse: parseBenchArgs, usage: BENCH_USAGE, flags: BENCH_FLAGS },
  'bench:skab': { parse: parseBenchSkabArgs, usage: BENCH_SKAB_USAGE, flags: BENCH_SKAB_FLAGS },
  replay: { parse: parseReplayArgs, usage: REPLAY_USAGE, flags: REPLAY_FLAGS },
  redrive: { parse: parseRedriveArgs, usage: REDRIVE_USAGE, flags: REDRIVE_FLAGS },
  query: { parse: parseQueryArgs, usage: QUERY_USAGE, flags: QUERY_FLAGS },
  diff: { parse: parseDiffArgs, usage: DIFF_USAGE, flags: DIFF_FLAGS },
  proof: { parse: parseProofArgs, usage: PROOF_USAGE, flags: PROOF_FLAGS },
  cost: { parse: parseCostArgs, usage: COST_USAGE, flags: COST_FLAGS },
  preflight: { parse: parsePreflightArgs, usage: PREFLIGHT_USAGE, flags: PREFLIGHT_FLAGS },
  simulate: { parse: parseSimulateArgs, usage: SIMULATE_USAGE, flags: SIMULATE_FLAGS },
  local: { parse: parseLocalArgs, usage: LOCAL_USAGE, flags: LOCAL_FLAGS },
  loadtest: { parse: parseLoadtestArgs, usage: LOADTEST_USAGE, flags: LOADTEST_FLAGS },
};

/** A script of scripts/ as `npm run <script>` runs it. */
function run(script: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], { cwd: REPOSITORY, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
    });
  });
}

describe('--help and -h', () => {
  it('are known to every npm script that runs a tool of scripts/', () => {
    const scripts = (JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const tools = Object.keys(scripts).filter((name) => /^tsx scripts\//.test(scripts[name] ?? ''));
    expect(tools.sort()).toEqual(Object.keys(TOOLS).sort());
  });

  it('count only before `--`, and only as the whole argument', () => {
    expect(helpRequested(['--env', 'dev', '-h'])).toBe(true);
    expect(helpRequested(['--', '--help'])).toBe(false);
    expect(helpRequested(['--help=yes'])).toBe(false);
  });

  it.each(Object.entries(TOOLS))('%s answers them first, even beside a wrong flag', (_name, tool) => {
    expect(tool.parse(['--help'])).toBe('help');
    expect(tool.parse(['-h'])).toBe('help');
    expect(tool.parse(['--no-such-flag', 'x', '-h'])).toBe('help');
  });

  it.each(Object.entries(TOOLS))('%s names every flag it takes in its usage, and no other', (_name, tool) => {
    expect(tool.usage).toMatch(/^usage: /);
    for (const flag of Object.keys(tool.flags)) expect(tool.usage).toMatch(new RegExp(`--${flag}(?![\\w-])`));
    const named = [...tool.usage.matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1] ?? '');
    expect(named.filter((flag) => flag !== 'help' && !Object.hasOwn(tool.flags, flag))).toEqual([]);
  });

  it('print the usage of the tools that run in-process, exit 0, touching nothing else', () => {
    const written: string[] = [];
    const untouchable = (): never => {
      throw new Error('help must not read or render anything');
    };
    const io: DiffIo = { environments: untouchable, baseEnvironments: untouchable, resolveBase: untouchable, committed: untouchable, render: untouchable, out: (text) => written.push(text), err: untouchable };
    expect(runDiff(['-h'], io)).toBe(0);
    runReplay(['--format', 'xml', '--help'], (chunk) => written.push(chunk));
    runBenchSkab(['-h', '/no/such/folder'], (chunk) => written.push(chunk));
    expect(written).toEqual([`${DIFF_USAGE}\n`, `${REPLAY_USAGE}\n`, `${BENCH_SKAB_USAGE}\n`]);
  });

  it('make the CLIs print the usage on stdout and exit 0 before any work (synth renders nothing, bench starts no emulator, query calls no AWS)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'help-synth-'));
    rmSync(out, { recursive: true });
    try {
      const [synth, bench, query] = await Promise.all([run('synth.ts', ['--out', out, '--help']), run('bench.ts', ['-h']), run('query.ts', ['--env', 'nope', '--help'])]);
      expect(synth).toEqual({ code: 0, stdout: `${SYNTH_USAGE}\n`, stderr: '' });
      expect(bench).toEqual({ code: 0, stdout: `${BENCH_USAGE}\n`, stderr: '' });
      expect(query).toEqual({ code: 0, stdout: `${QUERY_USAGE}\n`, stderr: '' });
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
