import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseProofArgs } from '../../scripts/lib/policyProofArgs';

const usage = 'usage: proof [--env <env>]';

function refusal(args: string[]): string {
  try {
    return `no error: ${JSON.stringify(parseProofArgs(args, ['dev', 'prod']))}`;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('npm run proof: command line', () => {
  test('--env dev and --env=dev alike; no --env proves every environment', () => {
    expect(parseProofArgs(['--env', 'prod'], ['dev', 'prod'])).toEqual(['prod']);
    expect(parseProofArgs(['--env=prod'], ['dev', 'prod'])).toEqual(['prod']);
    expect(parseProofArgs([], ['dev', 'prod'])).toEqual(['dev', 'prod']);
  });

  test.each([
    [['--env'], `--env needs a value; ${usage}`],
    [['--env='], `--env needs a value; ${usage}`],
    [['--env', '--verbose'], `--env needs a value; ${usage}`],
    [['--env=staging'], '--env staging: unknown environment; known environments are dev, prod'],
    [['--env', 'dev', 'prod'], `unknown argument "prod"; ${usage}`],
    [['--env', 'dev', '--env=prod'], '--env is given twice ("dev" and "prod"); give it once'],
    [['--verbose=1'], `unknown argument "--verbose=1"; ${usage}`],
    [['-e', 'dev'], `unknown argument "-e"; ${usage}`],
  ])('%j is refused with one line', (args, message) => {
    expect(refusal(args)).toBe(message);
  });

  test('the CLI reads --env=<env> (exit 2 with one line for an unknown one, before any proof)', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'policyProof.ts'), '--env=staging'], { encoding: 'utf8' });
    expect(result.stderr).toBe('proof: --env staging: unknown environment; known environments are dev, prod\n');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  }, 60_000);
});
