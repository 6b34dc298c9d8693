import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProofArgs } from '../../scripts/lib/policyProofArgs';

const usage = 'usage: proof [--env <env>] [--config-dir <dir>]';

function refusal(args: string[]): string {
  try {
    return `no error: ${JSON.stringify(parseProofArgs(args, ['dev', 'prod']))}`;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('npm run proof: command line', () => {
  test('--env dev and --env=dev alike; no --env proves every environment', () => {
    expect(parseProofArgs(['--env', 'prod'], ['dev', 'prod'])).toEqual({ environments: ['prod'] });
    expect(parseProofArgs(['--env=prod'], ['dev', 'prod'])).toEqual({ environments: ['prod'] });
    expect(parseProofArgs([], ['dev', 'prod'])).toEqual({ environments: ['dev', 'prod'] });
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
    [['--config-dir'], `--config-dir needs a value; ${usage}`],
    [['--config-dir', 'a', '--config-dir', 'b'], '--config-dir is given twice ("a" and "b"); give it once'],
  ])('%j is refused with one line', (args, message) => {
    expect(refusal(args)).toBe(message);
  });

  test('the CLI reads --env=<env> (exit 2 with one line for an unknown one, before any proof)', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'policyProof.ts'), '--env=staging'], { encoding: 'utf8' });
    expect(result.stderr).toBe('proof: --env staging: unknown environment; known environments are dev, prod\n');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  }, 60_000);

  /** A scratch copy of config/ with a third environment, qa (dev's file, its own suffix and account, three lines). */
  function configWithQa(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'proof-config-dir-')), 'scratch');
    cpSync(join(__dirname, '..', '..', 'config'), dir, { recursive: true });
    const qa = readFileSync(join(dir, 'dev.yaml'), 'utf8')
      .replace('environment: dev', 'environment: qa')
      .replace('suffix: dev', 'suffix: qa')
      .replace('accountId: "111122223333"', 'accountId: "999988887777"')
      .replace('lines: [line-a, line-b]', 'lines: [line-a, line-b, line-c]');
    writeFileSync(join(dir, 'qa.yaml'), qa);
    return dir;
  }

  test('--config-dir proves every environment of that folder, a third one included', () => {
    const dir = configWithQa();
    expect(parseProofArgs(['--config-dir', dir])).toEqual({ environments: ['dev', 'prod', 'qa'], configDir: dir });
    expect(refusalWith(['--env', 'staging', '--config-dir', dir])).toBe(`--env staging: unknown environment; known environments of ${dir} are dev, prod, qa`);
    const missing = join(dir, 'nowhere');
    expect(refusalWith(['--config-dir', missing])).toBe(`--config-dir: ${missing}: no such folder; the configuration is one <environment>.yaml file per environment`);
  });

  test('the CLI proves an environment that only the --config-dir folder has, in the account the catalog first takes for "another account"', () => {
    const dir = configWithQa();
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'policyProof.ts'), '--env', 'qa', '--config-dir', dir], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^policy proof qa: required (\d+)\/\1 allowed, forbidden (\d+)\/\2 denied\n$/);
  }, 60_000);
});

/** The refusal of a command line read against the real folders (no `known`). */
function refusalWith(args: string[]): string {
  try {
    return `no error: ${JSON.stringify(parseProofArgs(args))}`;
  } catch (error) {
    return (error as Error).message;
  }
}
