import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { QueryInputError } from '../../functions/shared/errors';
import { parseBenchSkabArgs } from '../../scripts/benchSkab';
import { parseReplayArgs } from '../../scripts/replay';
import { parseBenchArgs } from '../../scripts/lib/benchArgs';
import { CostUsageError, parseCostArgs } from '../../scripts/lib/costArgs';
import { parseSimulateArgs } from '../../scripts/lib/fleet/parseSimulateArgs';
import { UsageError } from '../../scripts/lib/fleet/UsageError';
import { parseLoadtestArgs } from '../../scripts/lib/local/parseLoadtestArgs';
import { parseLocalArgs } from '../../scripts/lib/local/parseLocalArgs';
import { DiffUsageError, parseDiffArgs } from '../../scripts/lib/manifestDiffArgs';
import { parseDriftCheckArgs } from '../../scripts/lib/parseDriftCheckArgs';
import { parseProofArgs } from '../../scripts/lib/policyProofArgs';
import { parsePreflightArgs } from '../../scripts/lib/preflightArgs';
import { PreflightUsageError } from '../../scripts/lib/preflightProblem';
import { parseQueryArgs } from '../../scripts/lib/queryArgs';
import { RedriveError } from '../../scripts/lib/RedriveError';
import { parseRedriveArgs } from '../../scripts/lib/redriveArgs';
import { refuseRepeatedFlags } from '../../scripts/lib/refuseRepeatedFlags';
import { ReplayUsageError } from '../../scripts/lib/replayErrors';
import { parseSynthArgs } from '../../scripts/lib/synthArgs';

const REPOSITORY = resolve(__dirname, '../..');

/** The error a parser threw (its class and message), or what it returned. */
function outcome(parse: () => unknown): { kind: string; message: string } | { returned: unknown } {
  try {
    return { returned: parse() };
  } catch (error) {
    return { kind: (error as Error).constructor.name, message: (error as Error).message };
  }
}

describe('refuseRepeatedFlags', () => {
  const options = { env: { type: 'string' }, chunk: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' } } as const;
  const refusal = (message: string, flag: string): Error => new Error(`${flag}: ${message}`);
  const token = (name: string, value?: string) => ({ kind: 'option', index: 0, name, rawName: `--${name}`, value, inlineValue: value === undefined ? undefined : false });

  it('names the flag and the first two values of a flag that takes one value', () => {
    expect(() => refuseRepeatedFlags([token('env', 'dev'), token('env', 'prod'), token('env', 'test')], options, refusal)).toThrow(
      new Error('--env: --env is given twice ("dev" and "prod"); give it once'),
    );
  });

  it('lets a flag declared multiple repeat, a boolean repeat, and leaves flags it does not know to the tool', () => {
    const tokens = [token('chunk', '800'), token('chunk', '900'), token('dry-run'), token('dry-run'), token('other', 'a'), token('other', 'b'), { kind: 'positional', index: 0, value: 'x' }];
    expect(() => refuseRepeatedFlags(tokens, options, refusal)).not.toThrow();
  });
});

describe('every tool refuses a repeated single-value flag (exit 2, one line naming the flag and both values)', () => {
  it.each([
    ['query', () => parseQueryArgs(['--env', 'dev', '--env', 'prod', '--asset', 'pump-07']), QueryInputError, '--env is given twice ("dev" and "prod"); give it once'],
    ['query (relative times)', () => parseQueryArgs(['--env', 'dev', '--asset', 'pump-07', '--from', '-6h', '--from', '-1h']), QueryInputError, '--from is given twice ("-6h" and "-1h"); give it once'],
    ['redrive', () => parseRedriveArgs(['--env', 'dev', '--env', 'prod']), RedriveError, '--env is given twice ("dev" and "prod"); give it once'],
    ['redrive --max-messages', () => parseRedriveArgs(['--env', 'dev', '--max-messages', '5', '--max-messages=500']), RedriveError, '--max-messages is given twice ("5" and "500"); give it once'],
    ['redrive --quarantine', () => parseRedriveArgs(['--env', 'dev', '--quarantine', 'iot', '--to', '-1h', '--to', '-2h']), RedriveError, '--to is given twice ("-1h" and "-2h"); give it once'],
    ['replay', () => parseReplayArgs(['--format', 'skab', '--format', 'csv', 'x.csv']), ReplayUsageError, '--format is given twice ("skab" and "csv"); give it once'],
    ['bench:skab', () => parseBenchSkabArgs(['--settings', 'a.json', '--settings', 'b.json', '.']), ReplayUsageError, '--settings is given twice ("a.json" and "b.json"); give it once'],
    ['bench', () => parseBenchArgs(['--runs', '1', '--runs', '5']), ReplayUsageError, '--runs is given twice ("1" and "5"); give it once'],
    ['proof', () => parseProofArgs(['--env', 'dev', '--env=prod'], ['dev', 'prod']), Error, '--env is given twice ("dev" and "prod"); give it once'],
    ['diff', () => parseDiffArgs(['--base', 'main', '--base', 'HEAD']), DiffUsageError, 'diff: --base is given twice ("main" and "HEAD"); give it once'],
    ['preflight', () => parsePreflightArgs(['--env', 'dev', '--env', 'prod']), PreflightUsageError, 'preflight: --env is given twice ("dev" and "prod"); give it once'],
    ['cost', () => parseCostArgs(['--sensors', '10', '--sensors', '20']), CostUsageError, 'cost: --sensors is given twice ("10" and "20"); give it once'],
    ['synth', () => parseSynthArgs(['--out', 'a', '--out', 'b']), Error, '--out is given twice ("a" and "b"); give it once'],
    ['simulate', () => parseSimulateArgs(['--devices', '2', '--devices', '3'], ['dev']), UsageError, '--devices is given twice ("2" and "3"); give it once'],
    ['local', () => parseLocalArgs(['--env', 'dev', '--env', 'prod']), UsageError, '--env is given twice ("dev" and "prod"); give it once'],
    ['loadtest', () => parseLoadtestArgs(['--devices', '8', '--seconds', '5', '--seconds', '60']), UsageError, '--seconds is given twice ("5" and "60"); give it once'],
    ['skabDriftCheck', () => parseDriftCheckArgs(['free.csv', '--settings', 'a.json', '--settings', 'b.json']), Error, '--settings is given twice ("a.json" and "b.json"); give it once'],
  ])('%s', (_tool, parse, kind, message) => {
    expect(outcome(parse)).toEqual({ kind: kind.name, message });
  });

  it('while the flags declared to repeat still do', () => {
    expect(parseDiffArgs(['--env', 'dev', '--env', 'prod'])).toMatchObject({ environments: ['dev', 'prod'] });
    expect(parseSynthArgs(['--env', 'dev', '--env', 'prod'])).toMatchObject({ env: ['dev', 'prod'] });
    expect(parseDriftCheckArgs(['free.csv', '--chunk', '800', '--chunk', '900'])).toMatchObject({ chunkRows: [800, 900] });
    expect(parseRedriveArgs(['--env', 'dev', '--dry-run', '--dry-run'])).toEqual({ environment: 'dev', dryRun: true, maxMessages: 50 });
  });

  it.each([
    ['redrive.ts', ['--env', 'dev', '--env', 'prod'], 'redrive: --env is given twice ("dev" and "prod"); give it once\n'],
    ['query.ts', ['--env', 'dev', '--env', 'prod', '--line', 'line-a'], 'query: --env is given twice ("dev" and "prod"); give it once\n'],
  ])('the CLI %s exits 2 before any AWS call', (script, args, stderr) => {
    // Nothing listens on port 1: a request would fail with exit 1.
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(REPOSITORY, 'scripts', script), ...args], { encoding: 'utf8', env, timeout: 60_000 });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 2, stdout: '', stderr });
  }, 60_000);
});
