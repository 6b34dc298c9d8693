import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, DataResidencyError, listEnvironments, loadEnvironmentConfig, parseEnvironmentConfig } from '../../charts/lib/config';

type Document = Record<string, unknown>;

function devDocument(): Document {
  return parse(readFileSync(join(__dirname, '..', '..', 'config', 'dev.yaml'), 'utf8')) as Document;
}

/** A copy of config/dev.yaml with one dotted field set (or removed with undefined). */
function withField(path: string, value: unknown): Document {
  const document = devDocument();
  const keys = path.split('.');
  let node = document;
  for (const key of keys.slice(0, -1)) node = node[key] as Document;
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
  return document;
}

const parseDev = (document: unknown) => parseEnvironmentConfig('config/dev.yaml', document);

describe('environment config', () => {
  test('dev and prod load and validate', () => {
    expect(listEnvironments()).toEqual(['dev', 'prod']);
    const dev = loadEnvironmentConfig('dev');
    expect(dev).toMatchObject({ environment: 'dev', suffix: 'dev', region: 'sa-east-1', sourceFile: 'config/dev.yaml' });
    expect(dev.capacity.onDemand).toBe(false);
    expect(loadEnvironmentConfig('prod').suffix).toBe('prod');
  });

  test('a region other than sa-east-1 is a data-residency error', () => {
    const attempt = () => parseDev(withField('region', 'us-east-1'));
    expect(attempt).toThrow(DataResidencyError);
    expect(attempt).toThrow('config/dev.yaml: region: value "us-east-1" is not allowed; data residency: every resource must stay in sa-east-1 (São Paulo)');
  });

  test('a missing region is refused too', () => {
    expect(() => parseDev(withField('region', undefined))).toThrow(
      'config/dev.yaml: region: missing value is not allowed; data residency: every resource must stay in sa-east-1 (São Paulo)',
    );
  });

  test('an unknown environment names the known ones', () => {
    expect(() => loadEnvironmentConfig('staging')).toThrow(
      'config/staging.yaml: (environment): value "staging" is not allowed; unknown environment; known environments are dev, prod',
    );
  });

  test.each([
    ['accountId', 12345, 'config/dev.yaml: accountId: value 12345 is not allowed; expected a 12-digit AWS account id, quoted as a string'],
    ['suffix', 'Dev_1', 'config/dev.yaml: suffix: value "Dev_1" is not allowed; expected 2 to 12 lower-case letters and digits, starting with a letter'],
    ['environment', 'prod', 'config/dev.yaml: environment: value "prod" is not allowed; expected "dev", the name of the file'],
    ['capacity.sensors', -3, 'config/dev.yaml: capacity.sensors: value -3 is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.sensors', Number.NaN, 'config/dev.yaml: capacity.sensors: value NaN is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.sensors', Number.POSITIVE_INFINITY, 'config/dev.yaml: capacity.sensors: value Infinity is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.sensors', null, 'config/dev.yaml: capacity.sensors: empty value is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.readingsPerMessage', 501, 'config/dev.yaml: capacity.readingsPerMessage: value 501 is not allowed; expected an integer from 1 to 500'],
    ['capacity.headroom', 'lots', 'config/dev.yaml: capacity.headroom: value "lots" is not allowed; expected a number from 1 to 10'],
    ['retention.logDays', 10, 'config/dev.yaml: retention.logDays: value 10 is not allowed; expected one of CloudWatch Logs\' retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653'],
    ['alerts.opsEmails', ['not-an-address'], 'config/dev.yaml: alerts.opsEmails[0]: value "not-an-address" is not allowed; expected an e-mail address'],
    ['alerts.anomalyEmails', [], 'config/dev.yaml: alerts.anomalyEmails: value [] is not allowed; expected a list of 1 to 20 entries'],
    ['plant.lines', ['line-a', 'line-a'], 'config/dev.yaml: plant.lines: value ["line-a","line-a"] is not allowed; expected unique entries'],
    ['detection.limits', { temperature: { min: 5, max: 1 } }, 'config/dev.yaml: detection.limits.temperature.min: value 5 is not allowed; expected min below max (1)'],
    ['detection.limits', { 'bad metric': { max: 1 } }, 'config/dev.yaml: detection.limits.bad metric: value "bad metric" is not allowed; expected a metric name matching [A-Za-z0-9_.:-]{1,64}'],
    ['gitops.repoURL', 'ftp://example.com/x', 'config/dev.yaml: gitops.repoURL: value "ftp://example.com/x" is not allowed; expected an https://, ssh:// or git@ repository URL'],
    ['capacity.shards', 4, 'config/dev.yaml: capacity.shards: value 4 is not allowed; unknown field; allowed fields are sensors, readingsPerSecondPerSensor, bytesPerReading, readingsPerMessage, headroom, onDemand'],
    ['retention', 30, 'config/dev.yaml: retention: value 30 is not allowed; expected a mapping with fields hotDays, archiveYears, logDays'],
  ])('%s = %j is refused with a message naming file, field, value and what is allowed', (field, value, message) => {
    const attempt = () => parseDev(withField(field, value));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  test('a document that is not a mapping is refused', () => {
    expect(() => parseDev(['a'])).toThrow('config/dev.yaml: (document): value ["a"] is not allowed; expected a YAML mapping');
  });
});
