import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DIR } from '../../charts/lib/config';
import { checkEnvironmentSet } from '../../charts/lib/checkEnvironmentSet';
import { loadEnvironmentSet } from '../../charts/lib/loadEnvironmentSet';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';

/** A copy of config/ with one more environment, `qa`, made from dev with the given line replacements. */
function configWithQa(replacements: readonly [string, string][]): string {
  // Named config/ so that messages name config/<env>.yaml, as they do for the real folder.
  const dir = join(mkdtempSync(join(tmpdir(), 'environments-')), 'config');
  cpSync(CONFIG_DIR, dir, { recursive: true });
  let qa = readFileSync(join(dir, 'dev.yaml'), 'utf8').replace('environment: dev', 'environment: qa');
  for (const [from, to] of replacements) qa = qa.replace(from, to);
  writeFileSync(join(dir, 'qa.yaml'), qa);
  return dir;
}

/** Why a second environment may not take a suffix another one uses. */
const SUFFIX_IN_USE = 'the suffix makes the namespace and every physical name, so the two environments would manage the same resources';

describe('checkEnvironmentSet', () => {
  test('the environments of config/ pass', () => {
    expect(loadEnvironmentSet().map((config) => config.environment)).toEqual(['dev', 'prod']);
  });

  test("a second environment reusing dev's suffix is refused: same namespace, same physical names", () => {
    expect(() => loadEnvironmentSet(configWithQa([]))).toThrow(new Error(`config/qa.yaml: suffix: value "dev" is not allowed; config/dev.yaml uses it already; ${SUFFIX_IN_USE}`));
  });

  test('the same suffix in another account is refused too: the namespace is in the one management cluster', () => {
    expect(() => loadEnvironmentSet(configWithQa([['accountId: "111122223333"', 'accountId: "999988887777"']]))).toThrow(
      new Error(`config/qa.yaml: suffix: value "dev" is not allowed; config/dev.yaml uses it already; ${SUFFIX_IN_USE}`),
    );
  });

  test('two environments in one account are refused where a physical name is per account (the IoT log group), saying no suffix helps', () => {
    expect(() => loadEnvironmentSet(configWithQa([['suffix: dev', 'suffix: qa']]))).toThrow(
      new Error(
        'config/qa.yaml: accountId: value "111122223333" is not allowed; config/dev.yaml deploys to the same account and both would own iotLogGroup "AWSIotLogsV2", a name fixed per account and region that no suffix changes; give each environment an AWS account of its own',
      ),
    );
  });

  test('another suffix in another account passes', () => {
    const dir = configWithQa([
      ['suffix: dev', 'suffix: qa'],
      ['accountId: "111122223333"', 'accountId: "999988887777"'],
    ]);
    expect(loadEnvironmentSet(dir).map((config) => config.environment)).toEqual(['dev', 'prod', 'qa']);
  });

  test('the order of the configs does not change which file is named', () => {
    const dev = loadEnvironmentConfig('dev');
    const copy = { ...dev, sourceFile: 'config/a-copy.yaml' };
    const refused = new Error(`config/dev.yaml: suffix: value "dev" is not allowed; config/a-copy.yaml uses it already; ${SUFFIX_IN_USE}`);
    expect(() => checkEnvironmentSet([dev, copy])).toThrow(refused);
    expect(() => checkEnvironmentSet([copy, dev])).toThrow(refused);
  });
});
