import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, ConfigSyntaxError, DataResidencyError, parseEnvironmentConfig } from '../../charts/lib/config';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { LIMITS } from '../../functions/shared/constants';

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

/** The time the config's instants are checked against: fixed, so no expected message depends on the clock. */
const NOW = new Date('2026-12-03T12:00:00Z');

const parseDev = (document: unknown) => parseEnvironmentConfig('config/dev.yaml', document, NOW);

const FILE_NAME_RULE = 'expected <environment>.yaml, the environment name of lower-case letters, digits and hyphens, starting with a letter, at most 31 characters';
const EMAIL_RULE =
  "expected an e-mail address local@domain.tld: the local part letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated runs, " +
  'at most 64 characters; the domain dot-separated labels of letters, digits and inner hyphens, ending in a top-level domain of letters; at most 254 characters';
const LOG_DAYS_RULE = "expected one of CloudWatch Logs' retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";

/** A config folder (named config/, as the messages show it) holding dev.yaml and `files`; removed after `use`. */
function withConfigFolder(files: Record<string, string>, use: (configDir: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'config-test-'));
  try {
    const configDir = join(root, 'config');
    mkdirSync(configDir);
    copyFileSync(join(__dirname, '..', '..', 'config', 'dev.yaml'), join(configDir, 'dev.yaml'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(configDir, name), text);
    use(configDir);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

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
    expect(attempt).toThrow(new Error('config/dev.yaml: region: value "us-east-1" is not allowed; data residency: every resource must stay in sa-east-1 (São Paulo)'));
  });

  test('a missing region is refused too', () => {
    expect(() => parseDev(withField('region', undefined))).toThrow(
      new Error('config/dev.yaml: region: missing value is not allowed; data residency: every resource must stay in sa-east-1 (São Paulo)'),
    );
  });

  test('an unknown environment names the known ones', () => {
    expect(() => loadEnvironmentConfig('staging')).toThrow(
      new Error('config/staging.yaml: (environment): value "staging" is not allowed; unknown environment; known environments are dev, prod'),
    );
  });

  test.each([
    ['accountId', 12345, 'config/dev.yaml: accountId: value 12345 is not allowed; expected a 12-digit AWS account id, quoted as a string'],
    ['suffix', 'Dev_1', 'config/dev.yaml: suffix: value "Dev_1" is not allowed; expected 2 to 12 lower-case letters and digits, starting with a letter'],
    ['environment', 'prod', 'config/dev.yaml: environment: value "prod" is not allowed; expected "dev", the name of the file'],
    // One value is allowed, so a missing or malformed one is told it rather than the pattern of names.
    ['environment', undefined, 'config/dev.yaml: environment: missing value is not allowed; expected "dev", the name of the file'],
    ['environment', 'DEV', 'config/dev.yaml: environment: value "DEV" is not allowed; expected "dev", the name of the file'],
    ['capacity.sensors', -3, 'config/dev.yaml: capacity.sensors: value -3 is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.sensors', Number.NaN, 'config/dev.yaml: capacity.sensors: value NaN is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.sensors', Number.POSITIVE_INFINITY, 'config/dev.yaml: capacity.sensors: value Infinity is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.sensors', null, 'config/dev.yaml: capacity.sensors: empty value is not allowed; expected an integer from 1 to 1000000'],
    ['capacity.readingsPerMessage', 501, 'config/dev.yaml: capacity.readingsPerMessage: value 501 is not allowed; expected an integer from 1 to 500'],
    ['capacity.headroom', 'lots', 'config/dev.yaml: capacity.headroom: value "lots" is not allowed; expected a number from 1 to 10'],
    ['retention.logDays', 10, `config/dev.yaml: retention.logDays: value 10 is not allowed; ${LOG_DAYS_RULE}`],
    // Out of range or not a number: the same list, never a range that suggests 10 or 4000 could pass.
    ['retention.logDays', 0, `config/dev.yaml: retention.logDays: value 0 is not allowed; ${LOG_DAYS_RULE}`],
    ['retention.logDays', 4000, `config/dev.yaml: retention.logDays: value 4000 is not allowed; ${LOG_DAYS_RULE}`],
    ['retention.logDays', '30', `config/dev.yaml: retention.logDays: value "30" is not allowed; ${LOG_DAYS_RULE}`],
    ['retention.logDays', undefined, `config/dev.yaml: retention.logDays: missing value is not allowed; ${LOG_DAYS_RULE}`],
    ['alerts.opsEmails', ['not-an-address'], `config/dev.yaml: alerts.opsEmails[0]: value "not-an-address" is not allowed; ${EMAIL_RULE}`],
    ['alerts.anomalyEmails', [], 'config/dev.yaml: alerts.anomalyEmails: value [] is not allowed; expected a list of 1 to 20 entries'],
    ['plant.lines', ['line-a', 'line-a'], 'config/dev.yaml: plant.lines: value ["line-a","line-a"] is not allowed; expected unique entries'],
    ['detection.limits', { temperature: { min: 5, max: 1 } }, 'config/dev.yaml: detection.limits.temperature.min: value 5 is not allowed; expected min below max (1)'],
    ['detection.limits', { 'bad metric': { max: 1 } }, 'config/dev.yaml: detection.limits.bad metric: value "bad metric" is not allowed; expected a metric name matching [A-Za-z0-9_.:-]{1,64}'],
    ['detection.acknowledge', { 'pump-07': '2026-02-30T10:00:00Z' }, 'config/dev.yaml: detection.acknowledge.pump-07: value "2026-02-30T10:00:00Z" is not allowed; expected a UTC time written YYYY-MM-DDTHH:MM:SSZ (quoted in YAML)'],
    ['detection.relearn', ['pump-07'], 'config/dev.yaml: detection.relearn: value ["pump-07"] is not allowed; expected a mapping of asset ids to UTC times'],
    ['gitops.repoURL', 'ftp://example.com/x', 'config/dev.yaml: gitops.repoURL: value "ftp://example.com/x" is not allowed; expected an https://, ssh:// or git@ repository URL'],
    ['capacity.shards', 4, 'config/dev.yaml: capacity.shards: value 4 is not allowed; unknown field; allowed fields are sensors, readingsPerSecondPerSensor, bytesPerReading, readingsPerMessage, headroom, onDemand, processorFanOut, processorConsumerArn, processorConsumerReadsFrom'],
    ['retention', 30, 'config/dev.yaml: retention: value 30 is not allowed; expected a mapping with fields hotDays, archiveYears, logDays, archiveTiers'],
  ])('%s = %j is refused with a message naming file, field, value and what is allowed', (field, value, message) => {
    const attempt = () => parseDev(withField(field, value));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new Error(message));
  });

  test('a sampling rate faster than a minute bucket holds is refused, naming the bucket limit', () => {
    const fastest = LIMITS.maxReadingsPerBucket / 60;
    expect(parseDev(withField('capacity.readingsPerSecondPerSensor', fastest)).capacity.readingsPerSecondPerSensor).toBe(100);
    const attempt = () => parseDev(withField('capacity.readingsPerSecondPerSensor', 101));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /^config\/dev\.yaml: capacity\.readingsPerSecondPerSensor: value 101 is not allowed; expected a number from 0\.001 to 100; a minute bucket holds at most 6000 readings of a sensor \(LIMITS\.maxReadingsPerBucket\); the storer would quarantine the rest as BUCKET_FULL$/,
    );
  });

  test('a message of readingsPerMessage readings of bytesPerReading each must fit the data contract\'s 128 KB', () => {
    const document = devDocument();
    document.capacity = { ...(document.capacity as Document), readingsPerMessage: 500, bytesPerReading: 300 };
    expect(() => parseDev(document)).toThrow(
      new ConfigError(
        'config/dev.yaml',
        'capacity.readingsPerMessage',
        500,
        'with capacity.bytesPerReading 300 a message would be 150000 bytes, over the 131072 bytes of the data contract (IoT Core\'s payload limit); at most 436 readings of that size fit',
      ),
    );
    document.capacity = { ...(document.capacity as Document), readingsPerMessage: 436 };
    expect(parseDev(document).capacity.readingsPerMessage).toBe(436);
  });

  test('archive tiers default to 30 / 90 / 180 days and take any chain S3 accepts without early-deletion charges', () => {
    expect(parseDev(devDocument()).retention.archiveTiers).toEqual({ standardIaDays: 30, glacierInstantRetrievalDays: 90, deepArchiveDays: 180 });
    const later = parseDev(withField('retention.archiveTiers', { standardIaDays: 60, deepArchiveDays: 365 }));
    expect(later.retention.archiveTiers).toEqual({ standardIaDays: 60, glacierInstantRetrievalDays: 90, deepArchiveDays: 365 });
    // Each class held exactly its minimum: IA 30 days, Glacier IR 90 days.
    const tightest = parseDev(withField('retention.archiveTiers', { standardIaDays: 30, glacierInstantRetrievalDays: 60, deepArchiveDays: 150 }));
    expect(tightest.retention.archiveTiers.deepArchiveDays).toBe(150);
  });

  test.each([
    [{ standardIaDays: 29 }, 'retention.archiveTiers.standardIaDays: value 29 is not allowed; expected day 30 or later: S3 moves objects to STANDARD_IA from day 30 after creation only'],
    [{ glacierInstantRetrievalDays: 59 }, 'retention.archiveTiers.glacierInstantRetrievalDays: value 59 is not allowed; expected day 60 or later: raw records enter STANDARD_IA on day 30 (retention.archiveTiers.standardIaDays) and it bills at least 30 days'],
    [{ deepArchiveDays: 179 }, 'retention.archiveTiers.deepArchiveDays: value 179 is not allowed; expected day 180 or later: raw records enter GLACIER_IR on day 90 (retention.archiveTiers.glacierInstantRetrievalDays) and it bills at least 90 days'],
    [{ deepArchiveDays: 180.5 }, 'retention.archiveTiers.deepArchiveDays: value 180.5 is not allowed; expected an integer from 1 to 10980'],
    [{ coldDays: 400 }, 'retention.archiveTiers.coldDays: value 400 is not allowed; unknown field; allowed fields are standardIaDays, glacierInstantRetrievalDays, deepArchiveDays'],
    ['180', 'retention.archiveTiers: value "180" is not allowed; expected a mapping with fields standardIaDays, glacierInstantRetrievalDays, deepArchiveDays'],
  ])('archive tiers %j are refused, naming the field and the rule', (tiers, message) => {
    expect(() => parseDev(withField('retention.archiveTiers', tiers))).toThrow(new Error(`config/dev.yaml: ${message}`));
  });

  test('archive years too short for the last class\'s minimum are refused', () => {
    const document = withField('retention.archiveTiers', { deepArchiveDays: 200 });
    (document.retention as Document).archiveYears = 1;
    expect(() => parseDev(document)).toThrow(
      new Error('config/dev.yaml: retention.archiveYears: value 1 is not allowed; raw records reach DEEP_ARCHIVE on day 200 (retention.archiveTiers.deepArchiveDays) and it bills at least 180 days, so archiveYears x 365.25 must be at least 380 days'),
    );
    (document.retention as Document).archiveTiers = { deepArchiveDays: 185 };
    expect(parseDev(document).retention.archiveYears).toBe(1);
  });

  test.each([
    ['a,b@c..d'],
    ['ops..team@example.com'],
    ['.ops@example.com'],
    ['ops.@example.com'],
    ['ops team@example.com'],
    ['"ops"@example.com'],
    ['ops@example'],
    ['ops@example..com'],
    ['ops@-example.com'],
    ['ops@example.c0m'],
    ['ops@example.com,oncall@example.com'],
    [`${'a'.repeat(65)}@example.com`],
  ])('the e-mail address %j is refused', (address) => {
    expect(() => parseDev(withField('alerts.opsEmails', [address]))).toThrow(new Error(`config/dev.yaml: alerts.opsEmails[0]: value ${JSON.stringify(address)} is not allowed; ${EMAIL_RULE}`));
  });

  test('e-mail addresses of every usual form are taken', () => {
    const addresses = ['ops@example.com', 'first.last+alerts@plant-sp.example.com.br', "o'neil_ops@example.io", `${'a'.repeat(64)}@example.com`];
    expect(parseDev(withField('alerts.opsEmails', addresses)).alerts.opsEmails).toEqual(addresses);
  });

  test('addresses that differ only in case are one mailbox, so one list may hold only one of them', () => {
    expect(() => parseDev(withField('alerts.opsEmails', ['ops@example.com', 'OPS@Example.com']))).toThrow(
      new ConfigError('config/dev.yaml', 'alerts.opsEmails', ['ops@example.com', 'OPS@Example.com'], 'expected unique addresses; "ops@example.com" and "OPS@Example.com" differ only in case, one mailbox'),
    );
    // Each topic mails its own list: the same address on both is two subscriptions, as intended.
    const both = withField('alerts.opsEmails', ['ops@example.com']);
    (both.alerts as Document).anomalyEmails = ['OPS@example.com'];
    expect(parseDev(both).alerts).toEqual({ anomalyEmails: ['OPS@example.com'], opsEmails: ['ops@example.com'] });
  });

  test('an acknowledgement must not be after now: a future time would end an episode that is a genuine fault', () => {
    const acknowledged = (at: string) => parseDev(withField('detection', { ...(devDocument().detection as Document), acknowledge: { 'pump-07': at } }));
    expect(acknowledged('2026-12-03T12:00:00Z').detection.acknowledge).toEqual({ 'pump-07': '2026-12-03T12:00:00Z' });
    const attempt = () => acknowledged('2026-12-03T12:00:01Z');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      new Error(
        'config/dev.yaml: detection.acknowledge.pump-07: value "2026-12-03T12:00:01Z" is not allowed; expected a time not after now (2026-12-03T12:00:00Z): ' +
          'the detector would end any episode still open then, such as a genuine fault that starts before it',
      ),
    );
  });

  test('a relearn request may be in the future: it schedules the new warm-up', () => {
    const document = withField('detection', { ...(devDocument().detection as Document), relearn: { 'pump-07': '2099-01-01T06:00:00Z' } });
    expect(parseDev(document).detection.relearn).toEqual({ 'pump-07': '2099-01-01T06:00:00Z' });
  });

  test('a document that is not a mapping is refused', () => {
    expect(() => parseDev(['a'])).toThrow(new Error('config/dev.yaml: (document): value ["a"] is not allowed; expected a YAML mapping'));
  });
});

describe('config files', () => {
  test.each([
    ['staging.yml', 'config/staging.yml: (file name): value "staging.yml" is not allowed'],
    ['Stage.yaml', 'config/Stage.yaml: (file name): value "Stage.yaml" is not allowed'],
    ['qa_1.yaml', 'config/qa_1.yaml: (file name): value "qa_1.yaml" is not allowed'],
    ['prod.YAML', 'config/prod.YAML: (file name): value "prod.YAML" is not allowed'],
  ])('%s is refused, not skipped: its environment would silently not render', (name, message) => {
    withConfigFolder({ [name]: 'environment: staging\n' }, (configDir) => {
      const attempt = () => listEnvironments(configDir);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(new Error(`${message}; ${FILE_NAME_RULE}`));
      // Loading any environment lists the folder first (in the message of an unknown one, or here), so it fails alike.
      expect(() => loadEnvironmentConfig('stage', configDir)).toThrow(new Error(`${message}; ${FILE_NAME_RULE}`));
    });
  });

  test('files that are not YAML are left alone', () => {
    withConfigFolder({ 'README.md': '# notes\n', '.gitkeep': '' }, (configDir) => expect(listEnvironments(configDir)).toEqual(['dev']));
  });

  test('a key written twice is named with its line and the line of the first, not quoted as a value', () => {
    const dev = readFileSync(join(__dirname, '..', '..', 'config', 'dev.yaml'), 'utf8');
    const lines = dev.split('\n');
    const suffixLine = lines.indexOf('suffix: dev') + 1;
    const headroomLine = lines.indexOf('  headroom: 2') + 1;
    withConfigFolder({ 'dev.yaml': `${dev}suffix: dev2\n` }, (configDir) => {
      const attempt = () => loadEnvironmentConfig('dev', configDir, NOW);
      expect(attempt).toThrow(ConfigSyntaxError);
      expect(attempt).toThrow(
        new Error(`config/dev.yaml: suffix: key repeated at line ${lines.length}, column 1, first written at line ${suffixLine}; expected valid YAML, each key once in its mapping`),
      );
    });
    const nested = dev.replace('  headroom: 2\n', '  headroom: 2\n  headroom: 3\n');
    withConfigFolder({ 'dev.yaml': nested }, (configDir) => {
      expect(() => loadEnvironmentConfig('dev', configDir, NOW)).toThrow(
        new Error(`config/dev.yaml: capacity.headroom: key repeated at line ${headroomLine + 1}, column 3, first written at line ${headroomLine}; expected valid YAML, each key once in its mapping`),
      );
    });
  });

  test('other YAML errors name the line and column', () => {
    withConfigFolder({ 'dev.yaml': 'environment: dev\nsuffix: "dev\n' }, (configDir) => {
      const attempt = () => loadEnvironmentConfig('dev', configDir, NOW);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(new Error('config/dev.yaml: (document): Missing closing "quote at line 3, column 1; expected valid YAML'));
    });
  });
});

describe('the processor\'s enhanced fan-out consumer', () => {
  const prefix = 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev/consumer/kinesis-processor-dev:';
  // 2026-12-01T12:00:00Z
  const registered = 1796126400;
  const arn = `${prefix}${registered}`;
  const withCapacity = (fields: Document): Document => {
    const document = devDocument();
    document.capacity = { ...(document.capacity as Document), ...fields };
    return document;
  };
  const expectedArn = `${prefix}<registration time in epoch seconds>, as the StreamConsumer's status.atProvider.arn shows it`;
  const readsFromRule =
    "expected the UTC time of the change that sets capacity.processorConsumerArn, as YYYY-MM-DDTHH:MM:SSZ, not before the consumer's registration (2026-12-01T12:00:00Z)";

  test('reads from a time up to now, registered up to now', () => {
    const atNow = `${prefix}${NOW.getTime() / 1000}`;
    expect(parseDev(withCapacity({ processorFanOut: true, processorConsumerArn: atNow, processorConsumerReadsFrom: '2026-12-03T12:00:00Z' })).capacity.processorConsumerReadsFrom).toBe(
      '2026-12-03T12:00:00Z',
    );
  });

  test('is off by default; step 1 registers it, step 2 records its ARN and where the new mapping starts', () => {
    expect(loadEnvironmentConfig('dev').capacity).toMatchObject({ processorFanOut: false, processorConsumerArn: undefined, processorConsumerReadsFrom: undefined });
    expect(parseDev(withCapacity({ processorFanOut: true })).capacity).toMatchObject({ processorFanOut: true, processorConsumerArn: undefined });
    expect(parseDev(withCapacity({ processorFanOut: true, processorConsumerArn: arn, processorConsumerReadsFrom: '2026-12-01T12:05:00Z' })).capacity).toMatchObject({
      processorFanOut: true,
      processorConsumerArn: arn,
      processorConsumerReadsFrom: '2026-12-01T12:05:00Z',
    });
  });

  test.each([
    [{ processorFanOut: 'yes' }, 'config/dev.yaml: capacity.processorFanOut: value "yes" is not allowed; expected true or false'],
    [
      { processorConsumerArn: arn, processorConsumerReadsFrom: '2026-12-01T12:05:00Z' },
      `config/dev.yaml: capacity.processorConsumerArn: value "${arn}" is not allowed; allowed only with capacity.processorFanOut: true, which registers the consumer it names`,
    ],
    [
      { processorFanOut: true, processorConsumerArn: `${prefix}1796126400000`, processorConsumerReadsFrom: '2026-12-01T12:05:00Z' },
      `config/dev.yaml: capacity.processorConsumerArn: value "${prefix}1796126400000" is not allowed; expected a Kinesis stream consumer ARN: ${expectedArn}`,
    ],
    [
      { processorFanOut: true, processorConsumerArn: arn.replace('processor-dev', 'processor-prod'), processorConsumerReadsFrom: '2026-12-01T12:05:00Z' },
      `config/dev.yaml: capacity.processorConsumerArn: value "${arn.replace('processor-dev', 'processor-prod')}" is not allowed; expected this environment's processor consumer: ${expectedArn}`,
    ],
    [
      { processorFanOut: true, processorConsumerArn: arn.replace('111122223333', '444455556666'), processorConsumerReadsFrom: '2026-12-01T12:05:00Z' },
      `config/dev.yaml: capacity.processorConsumerArn: value "${arn.replace('111122223333', '444455556666')}" is not allowed; expected this environment's processor consumer: ${expectedArn}`,
    ],
    [{ processorFanOut: true, processorConsumerArn: arn }, `config/dev.yaml: capacity.processorConsumerReadsFrom: missing value is not allowed; ${readsFromRule}`],
    [{ processorFanOut: true, processorConsumerArn: arn, processorConsumerReadsFrom: '2026-12-01 12:05' }, `config/dev.yaml: capacity.processorConsumerReadsFrom: value "2026-12-01 12:05" is not allowed; ${readsFromRule}`],
    [{ processorFanOut: true, processorConsumerArn: arn, processorConsumerReadsFrom: '2026-11-31T12:05:00Z' }, `config/dev.yaml: capacity.processorConsumerReadsFrom: value "2026-11-31T12:05:00Z" is not allowed; ${readsFromRule}`],
    [{ processorFanOut: true, processorConsumerArn: arn, processorConsumerReadsFrom: '2026-12-01T11:59:59Z' }, `config/dev.yaml: capacity.processorConsumerReadsFrom: value "2026-12-01T11:59:59Z" is not allowed; ${readsFromRule}`],
    // AWS refuses a mapping that starts AT_TIMESTAMP in the future: refused at load, against NOW (2026-12-03T12:00:00Z).
    [
      { processorFanOut: true, processorConsumerArn: arn, processorConsumerReadsFrom: '2099-01-01T00:00:00Z' },
      'config/dev.yaml: capacity.processorConsumerReadsFrom: value "2099-01-01T00:00:00Z" is not allowed; expected a time not after now (2026-12-03T12:00:00Z): AWS refuses a mapping that starts reading AT_TIMESTAMP in the future',
    ],
    [
      { processorFanOut: true, processorConsumerArn: arn, processorConsumerReadsFrom: '2026-12-03T12:00:01Z' },
      'config/dev.yaml: capacity.processorConsumerReadsFrom: value "2026-12-03T12:00:01Z" is not allowed; expected a time not after now (2026-12-03T12:00:00Z): AWS refuses a mapping that starts reading AT_TIMESTAMP in the future',
    ],
    // 4102444800: 2100-01-01T00:00:00Z, an epoch no registered consumer has yet.
    [
      { processorFanOut: true, processorConsumerArn: `${prefix}4102444800`, processorConsumerReadsFrom: '2100-01-01T00:00:00Z' },
      `config/dev.yaml: capacity.processorConsumerArn: value "${prefix}4102444800" is not allowed; expected a time not after now (2026-12-03T12:00:00Z): ` +
        "the ARN ends in the consumer's registration time (2100-01-01T00:00:00Z), copied from a registered consumer",
    ],
  ])('%j is refused with a message naming the field, the value and what is allowed', (fields, message) => {
    const attempt = () => parseDev(withCapacity(fields));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new Error(message));
  });

  test('a read time without an ARN is refused: it would be silently ignored', () => {
    expect(() => parseDev(withCapacity({ processorFanOut: true, processorConsumerReadsFrom: '2026-12-01T12:05:00Z' }))).toThrow(
      new Error('config/dev.yaml: capacity.processorConsumerReadsFrom: value "2026-12-01T12:05:00Z" is not allowed; allowed only with capacity.processorConsumerArn, the consumer it reads through'),
    );
  });

  test('a consumer outside sa-east-1 is a data-residency error', () => {
    const elsewhere = arn.replace('sa-east-1', 'us-east-1');
    const attempt = () => parseDev(withCapacity({ processorFanOut: true, processorConsumerArn: elsewhere, processorConsumerReadsFrom: '2026-12-01T12:05:00Z' }));
    expect(attempt).toThrow(DataResidencyError);
    expect(attempt).toThrow(new Error(`config/dev.yaml: capacity.processorConsumerArn: value "${elsewhere}" is not allowed; data residency: every resource must stay in sa-east-1 (São Paulo)`));
  });
});
