import { basename, join } from 'node:path';
import { PlatformNames } from './names';
import { DETECTION_SETTING_NAMES, DetectorSettingsError, resolveDetectionSettings, type ResolvedDetectionSettings } from '../../functions/shared/detector';
import { isUtcTime } from '../../functions/shared/isUtcTime';
import { HOT_RETENTION_DAYS_BOUNDS, LIMITS } from '../../functions/shared/constants';
import { ARCHIVE_TIER_FIELDS, DAYS_PER_YEAR, DEFAULT_ARCHIVE_TIERS, STORAGE_CLASS_MINIMUM_DAYS, type ArchiveTiers, type StorageClass } from './archiveTiers';
import { earliestNextDay } from './earliestNextDay';
import { rawExpirationDays } from './rawExpirationDays';

/** The only region the platform may use: plant data must stay in São Paulo. */
export const ALLOWED_REGION = 'sa-east-1';

/** Validation bounds of the environment config, named so messages and docs quote the same numbers. */
export const CONFIG_LIMITS = {
  suffixPattern: /^[a-z][a-z0-9]{1,11}$/,
  idPattern: /^[a-z][a-z0-9-]{0,30}$/,
  accountIdPattern: /^[0-9]{12}$/,
  tagValuePattern: /^[A-Za-z0-9 _.:/=+@-]{1,128}$/,
  /**
   * An address SNS can mail: a dot-atom local part (RFC 5322's atext in dot-separated runs, so no spaces,
   * commas, quotes or empty runs) of at most 64 characters, and a host name ending in a letters-only
   * top-level domain; at most 254 characters in all (RFC 5321's path limit).
   */
  emailPattern: /^(?=.{1,254}$)(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/,
  maxLines: 50,
  maxEmails: 20,
  hotDays: HOT_RETENTION_DAYS_BOUNDS,
  archiveYears: { min: 1, max: 30 },
  /** Days after arrival a raw record moves to a colder class: from S3's earliest, within the longest retention. */
  archiveTierDays: { min: 1, max: 30 * 366 },
  /** CloudWatch Logs accepts only these retention periods (days). */
  logDays: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
  sensors: { min: 1, max: 1_000_000 },
  /**
   * A bucket holds one sensor's minute, at most LIMITS.maxReadingsPerBucket readings: the storer would
   * quarantine the rest of every minute of a faster sensor as BUCKET_FULL.
   */
  readingsPerSecondPerSensor: {
    min: 0.001,
    max: LIMITS.maxReadingsPerBucket / 60,
    why: `a minute bucket holds at most ${LIMITS.maxReadingsPerBucket} readings of a sensor (LIMITS.maxReadingsPerBucket); the storer would quarantine the rest as BUCKET_FULL`,
  },
  bytesPerReading: { min: 16, max: 4096 },
  /** The data contract allows 1 to LIMITS.maxReadingsPerMessage (500) readings per message. */
  readingsPerMessage: { min: 1, max: LIMITS.maxReadingsPerMessage },
  headroom: { min: 1, max: 10 },
} as const;

/** One environment of the platform, as read from `config/<env>.yaml`. */
export interface EnvironmentConfig {
  /** The file it was read from, relative to the project, for error messages. */
  readonly sourceFile: string;
  readonly environment: string;
  readonly suffix: string;
  readonly accountId: string;
  readonly region: typeof ALLOWED_REGION;
  readonly owner: string;
  readonly costCenter: string;
  readonly dataClassification: string;
  readonly plant: { readonly id: string; readonly lines: readonly string[] };
  readonly alerts: { readonly anomalyEmails: readonly string[]; readonly opsEmails: readonly string[] };
  readonly retention: {
    readonly hotDays: number;
    readonly archiveYears: number;
    readonly logDays: number;
    /** When raw records move to Standard-IA, Glacier Instant Retrieval and Deep Archive. @default DEFAULT_ARCHIVE_TIERS (30, 90, 180 days) */
    readonly archiveTiers: ArchiveTiers;
  };
  readonly capacity: {
    readonly sensors: number;
    readonly readingsPerSecondPerSensor: number;
    readonly bytesPerReading: number;
    readonly readingsPerMessage: number;
    /** Multiplier over the steady-state need, for bursts and catch-up after an outage. @default 2 */
    readonly headroom: number;
    /** Force on-demand capacity mode instead of the derived shard count. @default false */
    readonly onDemand: boolean;
    /**
     * Register an enhanced fan-out consumer for the processor (its own 2 MB/s per shard, records pushed
     * about 70 ms after they arrive, whatever else reads the stream). @default false
     */
    readonly processorFanOut: boolean;
    /**
     * The registered consumer's ARN, copied from the cluster once `processorFanOut` has registered it: the
     * processor's mapping then reads through it. AWS puts the registration time in the ARN, so it cannot be
     * derived at synth. @default undefined (the processor polls the stream with shared throughput)
     */
    readonly processorConsumerArn: string | undefined;
    /**
     * Where the mapping through the consumer starts reading (AT_TIMESTAMP, RFC 3339 UTC), written with the
     * ARN: the time of that change. Required with `processorConsumerArn`. @default undefined
     */
    readonly processorConsumerReadsFrom: string | undefined;
  };
  /** The detector's settings and the processor's status heartbeat: the one schema replay's `--settings` takes too. */
  readonly detection: ResolvedDetectionSettings;
  readonly gitops: { readonly repoURL: string; readonly targetRevision: string };
}

/** A config file that cannot be used; the message names file, field, value and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${file}: ${field}: ${describeValue(value)} is not allowed; ${allowed}`);
    this.name = 'ConfigError';
  }
}

/**
 * A file that is not YAML the config can take (a syntax error, a key twice in one mapping): there is no value
 * to quote, so the message names file, key or position, the problem and what is allowed.
 */
export class ConfigSyntaxError extends ConfigError {
  constructor(file: string, field: string, problem: string, allowed: string) {
    super(file, field, undefined, allowed);
    this.message = `${file}: ${field}: ${problem}; ${allowed}`;
    this.name = 'ConfigSyntaxError';
  }
}

/** Raised for a region other than sa-east-1: plant data must not leave Brazil. */
export class DataResidencyError extends ConfigError {
  constructor(file: string, field: string, value: unknown) {
    super(file, field, value, `data residency: every resource must stay in ${ALLOWED_REGION} (São Paulo)`);
    this.name = 'DataResidencyError';
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing value';
  if (value === null) return 'empty value';
  // JSON would print NaN and ±Infinity (YAML .nan, .inf, 1e400) as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return `value ${String(value)}`;
  return `value ${JSON.stringify(value)}`;
}

type Raw = Record<string, unknown>;

/** Reads fields of one YAML mapping, each check naming the dotted field path on failure. */
class FieldReader {
  constructor(
    private readonly file: string,
    private readonly fields: Raw,
    private readonly path: string,
    knownFields: readonly string[] | 'any',
  ) {
    if (knownFields === 'any') return;
    for (const key of Object.keys(fields)) {
      if (!knownFields.includes(key)) {
        throw new ConfigError(file, this.field(key), fields[key], `unknown field; allowed fields are ${knownFields.join(', ')}`);
      }
    }
  }

  /** The field's value as written, for checks that need the rest of the config first. */
  raw(name: string): unknown {
    return this.fields[name];
  }

  field(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  string(name: string, pattern: RegExp, allowed: string): string {
    const value = this.fields[name];
    if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(this.file, this.field(name), value, allowed);
    return value;
  }

  /** `bounds.why` says where a bound comes from, when it is not the field's own. */
  number(name: string, bounds: { readonly min: number; readonly max: number; readonly why?: string }, integer: boolean): number {
    const value = this.fields[name];
    const kind = integer ? 'an integer' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
      throw new ConfigError(this.file, this.field(name), value, `expected ${kind} from ${bounds.min} to ${bounds.max}${bounds.why === undefined ? '' : `; ${bounds.why}`}`);
    }
    return value;
  }

  optionalNumber(name: string, bounds: { readonly min: number; readonly max: number }, integer: boolean, fallback: number): number {
    return this.fields[name] === undefined ? fallback : this.number(name, bounds, integer);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.fields[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new ConfigError(this.file, this.field(name), value, 'expected true or false');
    return value;
  }

  list(name: string, pattern: RegExp, allowed: string, maxItems: number): string[] {
    const value = this.fields[name];
    if (!Array.isArray(value) || value.length === 0 || value.length > maxItems) {
      throw new ConfigError(this.file, this.field(name), value, `expected a list of 1 to ${maxItems} entries`);
    }
    value.forEach((item, index) => {
      if (typeof item !== 'string' || !pattern.test(item)) throw new ConfigError(this.file, `${this.field(name)}[${index}]`, item, allowed);
    });
    if (new Set(value).size !== value.length) throw new ConfigError(this.file, this.field(name), value, 'expected unique entries');
    return value as string[];
  }

  /** A nested mapping; `'any'` accepts free-form keys (such as metric names). */
  section(name: string, knownFields: readonly string[] | 'any', optional = false): FieldReader {
    const value = this.fields[name] ?? (optional ? {} : undefined);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const expected = knownFields === 'any' ? 'a mapping' : `a mapping with fields ${knownFields.join(', ')}`;
      throw new ConfigError(this.file, this.field(name), value, `expected ${expected}`);
    }
    return new FieldReader(this.file, value as Raw, this.field(name), knownFields);
  }

  entries(): [string, unknown][] {
    return Object.entries(this.fields);
  }
}

const ID_RULE = 'expected lower-case letters, digits and hyphens, starting with a letter, at most 31 characters';

/** What a file of the config folder must be called: `.yml` or another name would be skipped or mismatch its `environment`. */
export const CONFIG_FILE_NAME_RULE = 'expected <environment>.yaml, the environment name of lower-case letters, digits and hyphens, starting with a letter, at most 31 characters';

const EMAIL_RULE =
  "expected an e-mail address local@domain.tld: the local part letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated runs, " +
  'at most 64 characters; the domain dot-separated labels of letters, digits and inner hyphens, ending in a top-level domain of letters; at most 254 characters';

/** `time` (epoch ms) as the config writes instants, YYYY-MM-DDTHH:MM:SSZ. */
function utcSecond(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The rule of an instant that must already have happened at synth. Argo CD syncs after synth, so a time valid
 * then stays valid; the rendered output does not depend on `now`, so synth stays reproducible.
 */
function notAfterNow(now: Date, why: string): string {
  return `expected a time not after now (${utcSecond(now.getTime())}): ${why}`;
}

/** An alert list's addresses, unique without regard to case: SNS would mail one mailbox twice. */
function readEmails(file: string, alerts: FieldReader, name: string): string[] {
  const emails = alerts.list(name, CONFIG_LIMITS.emailPattern, EMAIL_RULE, CONFIG_LIMITS.maxEmails);
  const seen = new Map<string, string>();
  for (const email of emails) {
    const first = seen.get(email.toLowerCase());
    if (first !== undefined) {
      throw new ConfigError(file, alerts.field(name), emails, `expected unique addresses; "${first}" and "${email}" differ only in case, one mailbox`);
    }
    seen.set(email.toLowerCase(), email);
  }
  return emails;
}

/**
 * `detection.acknowledge`: times already past. The detector ends the episode open at that time at the first
 * sample at or after it, so a future (mistyped) time would end a genuine fault that opens before it.
 */
function checkAcknowledgements(file: string, detection: ResolvedDetectionSettings, now: Date): void {
  for (const [assetId, at] of Object.entries(detection.acknowledge)) {
    if (Date.parse(at) > now.getTime()) {
      throw new ConfigError(file, `detection.acknowledge.${assetId}`, at, notAfterNow(now, 'the detector would end any episode still open then, such as a genuine fault that starts before it'));
    }
  }
}

/** The `detection` block, checked by the detector's own schema and reported in this file's words. */
function readDetection(file: string, value: unknown): ResolvedDetectionSettings {
  try {
    return resolveDetectionSettings(value);
  } catch (error) {
    if (!(error instanceof DetectorSettingsError)) throw error;
    const allowed = error.known === undefined ? `expected ${error.expected}` : `unknown field; allowed fields are ${error.known.join(', ')}`;
    throw new ConfigError(file, `detection.${error.setting}`, error.value, allowed);
  }
}

/**
 * Validates one parsed config document; `file` is only used in messages. `now` is the time instants in the
 * config must not be after (tests pass a fixed one).
 */
export function parseEnvironmentConfig(file: string, document: unknown, now: Date = new Date()): EnvironmentConfig {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(file, '(document)', document, 'expected a YAML mapping');
  }
  const root = new FieldReader(file, document as Raw, '', [
    'environment', 'suffix', 'accountId', 'region', 'owner', 'costCenter', 'dataClassification',
    'plant', 'alerts', 'retention', 'capacity', 'detection', 'gitops',
  ]);
  const region = (document as Raw).region;
  if (region !== ALLOWED_REGION) throw new DataResidencyError(file, 'region', region);

  const expectedEnvironment = basename(file).replace(/\.yaml$/, '');
  // Only one value is right, the file's name: a missing or malformed one is told that value, not the pattern.
  if ((document as Raw).environment !== expectedEnvironment) {
    throw new ConfigError(file, 'environment', (document as Raw).environment, `expected "${expectedEnvironment}", the name of the file`);
  }
  const environment = root.string('environment', CONFIG_LIMITS.idPattern, ID_RULE);
  const plant = root.section('plant', ['id', 'lines']);
  const alerts = root.section('alerts', ['anomalyEmails', 'opsEmails']);
  const retention = root.section('retention', ['hotDays', 'archiveYears', 'logDays', 'archiveTiers']);
  const capacity = root.section('capacity', [
    'sensors', 'readingsPerSecondPerSensor', 'bytesPerReading', 'readingsPerMessage', 'headroom', 'onDemand', 'processorFanOut', 'processorConsumerArn',
    'processorConsumerReadsFrom',
  ]);
  root.section('detection', DETECTION_SETTING_NAMES);
  const gitops = root.section('gitops', ['repoURL', 'targetRevision']);

  const logDays = retention.raw('logDays');
  // Only the listed values, whatever the type: a range would wrongly suggest that 10 or 4000 could pass.
  if (typeof logDays !== 'number' || !(CONFIG_LIMITS.logDays as readonly number[]).includes(logDays)) {
    throw new ConfigError(file, 'retention.logDays', logDays, `expected one of CloudWatch Logs' retention periods: ${CONFIG_LIMITS.logDays.join(', ')}`);
  }
  const hotDays = retention.number('hotDays', CONFIG_LIMITS.hotDays, true);
  const archiveYears = retention.number('archiveYears', CONFIG_LIMITS.archiveYears, true);
  const archiveTiers = readArchiveTiers(file, retention.section('archiveTiers', ARCHIVE_TIER_FIELDS.map(({ field }) => field), true), archiveYears);

  const parsed: EnvironmentConfig = {
    sourceFile: file,
    environment,
    suffix: root.string('suffix', CONFIG_LIMITS.suffixPattern, 'expected 2 to 12 lower-case letters and digits, starting with a letter'),
    accountId: root.string('accountId', CONFIG_LIMITS.accountIdPattern, 'expected a 12-digit AWS account id, quoted as a string'),
    region: ALLOWED_REGION,
    owner: root.string('owner', CONFIG_LIMITS.tagValuePattern, 'expected a tag value: 1 to 128 letters, digits, spaces and _.:/=+@-'),
    costCenter: root.string('costCenter', CONFIG_LIMITS.tagValuePattern, 'expected a tag value: 1 to 128 letters, digits, spaces and _.:/=+@-'),
    dataClassification: root.string('dataClassification', /^(public|internal|confidential|restricted)$/, 'expected one of public, internal, confidential, restricted'),
    plant: {
      id: plant.string('id', CONFIG_LIMITS.idPattern, ID_RULE),
      lines: plant.list('lines', CONFIG_LIMITS.idPattern, ID_RULE, CONFIG_LIMITS.maxLines),
    },
    alerts: {
      anomalyEmails: readEmails(file, alerts, 'anomalyEmails'),
      opsEmails: readEmails(file, alerts, 'opsEmails'),
    },
    retention: { hotDays, archiveYears, logDays, archiveTiers },
    capacity: {
      sensors: capacity.number('sensors', CONFIG_LIMITS.sensors, true),
      readingsPerSecondPerSensor: capacity.number('readingsPerSecondPerSensor', CONFIG_LIMITS.readingsPerSecondPerSensor, false),
      bytesPerReading: capacity.number('bytesPerReading', CONFIG_LIMITS.bytesPerReading, true),
      readingsPerMessage: capacity.number('readingsPerMessage', CONFIG_LIMITS.readingsPerMessage, true),
      headroom: capacity.optionalNumber('headroom', CONFIG_LIMITS.headroom, false, 2),
      onDemand: capacity.boolean('onDemand', false),
      processorFanOut: capacity.boolean('processorFanOut', false),
      processorConsumerArn: undefined,
      processorConsumerReadsFrom: undefined,
    },
    detection: readDetection(file, (document as Raw).detection),
    gitops: {
      repoURL: gitops.string('repoURL', /^(https:\/\/|ssh:\/\/|git@)\S+$/, 'expected an https://, ssh:// or git@ repository URL'),
      targetRevision: gitops.string('targetRevision', /^[A-Za-z0-9._/-]{1,100}$/, 'expected a branch, tag or commit'),
    },
  };
  // Each field has its own range, but a message of that many readings of that size must also be one IoT
  // Core accepts: the shard plan and the cost of a bigger one describe traffic that never arrives.
  const messageBytes = parsed.capacity.readingsPerMessage * parsed.capacity.bytesPerReading;
  if (messageBytes > LIMITS.maxMessageBytes) {
    throw new ConfigError(
      file,
      'capacity.readingsPerMessage',
      parsed.capacity.readingsPerMessage,
      `with capacity.bytesPerReading ${parsed.capacity.bytesPerReading} a message would be ${messageBytes} bytes, over the ${LIMITS.maxMessageBytes} bytes of the data contract (IoT Core's payload limit); at most ${Math.floor(LIMITS.maxMessageBytes / parsed.capacity.bytesPerReading)} readings of that size fit`,
    );
  }
  checkAcknowledgements(file, parsed.detection, now);
  const consumerArn = capacity.raw('processorConsumerArn');
  const readsFrom = capacity.raw('processorConsumerReadsFrom');
  if (consumerArn === undefined) {
    if (readsFrom !== undefined) throw new ConfigError(file, 'capacity.processorConsumerReadsFrom', readsFrom, 'allowed only with capacity.processorConsumerArn, the consumer it reads through');
    return parsed;
  }
  const arn = readProcessorConsumerArn(parsed, consumerArn, now);
  return { ...parsed, capacity: { ...parsed.capacity, processorConsumerArn: arn, processorConsumerReadsFrom: readConsumerReadsFrom(file, arn, readsFrom, now) } };
}

/**
 * `retention.archiveTiers`: each class at least as long as S3 bills it before the next step (and Standard-IA
 * from day 30, as S3 requires), so the lifecycle is one S3 accepts and no early-deletion charge is paid;
 * the last class before `archiveYears` expires the records.
 */
function readArchiveTiers(file: string, tiers: FieldReader, archiveYears: number): ArchiveTiers {
  let previous: { field: string; storageClass: StorageClass; days: number } = { field: 'arrival', storageClass: 'STANDARD', days: 0 };
  const resolved: Record<keyof ArchiveTiers, number> = { ...DEFAULT_ARCHIVE_TIERS };
  for (const { field, storageClass } of ARCHIVE_TIER_FIELDS) {
    const days = tiers.optionalNumber(field, CONFIG_LIMITS.archiveTierDays, true, DEFAULT_ARCHIVE_TIERS[field]);
    const earliest = earliestNextDay(previous.storageClass, previous.days, storageClass);
    if (days < earliest) {
      throw new ConfigError(file, tiers.field(field), days, `expected day ${earliest} or later: ${tierReason(previous, earliest)}`);
    }
    resolved[field] = days;
    previous = { field: tiers.field(field), storageClass, days };
  }
  const expiry = rawExpirationDays(archiveYears);
  const earliestExpiry = earliestNextDay(previous.storageClass, previous.days, undefined);
  if (expiry < earliestExpiry) {
    throw new ConfigError(
      file,
      'retention.archiveYears',
      archiveYears,
      `raw records reach ${previous.storageClass} on day ${previous.days} (${previous.field}) and it bills at least ` +
        `${STORAGE_CLASS_MINIMUM_DAYS[previous.storageClass]} days, so archiveYears x ${DAYS_PER_YEAR} must be at least ${earliestExpiry} days`,
    );
  }
  return resolved;
}

function tierReason(previous: { field: string; storageClass: StorageClass; days: number }, earliest: number): string {
  if (previous.storageClass === 'STANDARD') return `S3 moves objects to STANDARD_IA from day ${earliest} after creation only`;
  return `raw records enter ${previous.storageClass} on day ${previous.days} (${previous.field}) and it bills at least ${STORAGE_CLASS_MINIMUM_DAYS[previous.storageClass]} days`;
}

/** Epoch ms of the consumer's registration: the last field of its ARN, in seconds. */
function registrationTime(consumerArn: string): number {
  return Number(consumerArn.slice(consumerArn.lastIndexOf(':') + 1)) * 1000;
}

/**
 * `capacity.processorConsumerReadsFrom`: a valid UTC time, not before the consumer was registered (the ARN's
 * last field), which catches a mistyped date before it makes the new mapping re-read days of the stream, and
 * not after now, since AWS refuses a mapping that starts AT_TIMESTAMP in the future.
 */
function readConsumerReadsFrom(file: string, consumerArn: string, value: unknown, now: Date): string {
  const field = 'capacity.processorConsumerReadsFrom';
  const registeredAt = registrationTime(consumerArn);
  const allowed = `expected the UTC time of the change that sets capacity.processorConsumerArn, as YYYY-MM-DDTHH:MM:SSZ, not before the consumer's registration (${utcSecond(registeredAt)})`;
  if (!isUtcTime(value) || Date.parse(value) < registeredAt) throw new ConfigError(file, field, value, allowed);
  if (Date.parse(value) > now.getTime()) throw new ConfigError(file, field, value, notAfterNow(now, 'AWS refuses a mapping that starts reading AT_TIMESTAMP in the future'));
  return value;
}

/** arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<consumer>:<registered, epoch seconds>. */
const CONSUMER_ARN = /^arn:aws:kinesis:([a-z0-9-]+):\d{12}:stream\/[A-Za-z0-9_.-]+\/consumer\/[A-Za-z0-9_.-]+:\d{10}$/;

/**
 * `capacity.processorConsumerArn`: only beside `processorFanOut` (which registers the consumer it names),
 * and exactly this environment's processor consumer on its stream, in sa-east-1.
 */
function readProcessorConsumerArn(config: EnvironmentConfig, value: unknown, now: Date): string {
  const field = 'capacity.processorConsumerArn';
  if (!config.capacity.processorFanOut) {
    throw new ConfigError(config.sourceFile, field, value, 'allowed only with capacity.processorFanOut: true, which registers the consumer it names');
  }
  const prefix = new PlatformNames(config).processorConsumerArnPrefix;
  const expected = `${prefix}<registration time in epoch seconds>, as the StreamConsumer's status.atProvider.arn shows it`;
  const match = typeof value === 'string' ? CONSUMER_ARN.exec(value) : null;
  if (match === null) throw new ConfigError(config.sourceFile, field, value, `expected a Kinesis stream consumer ARN: ${expected}`);
  if (match[1] !== ALLOWED_REGION) throw new DataResidencyError(config.sourceFile, field, value);
  if (!(value as string).startsWith(prefix)) throw new ConfigError(config.sourceFile, field, value, `expected this environment's processor consumer: ${expected}`);
  // A registration after now is no ARN AWS has issued: a mistyped epoch.
  if (registrationTime(value as string) > now.getTime()) {
    throw new ConfigError(config.sourceFile, field, value, notAfterNow(now, `the ARN ends in the consumer's registration time (${utcSecond(registrationTime(value as string))}), copied from a registered consumer`));
  }
  return value as string;
}

/** The folder of environment files, beside charts/. */
export const CONFIG_DIR = join(__dirname, '..', '..', 'config');

/** A config folder that does not exist or holds no environment file (a mistyped --config-dir). */
export class ConfigFolderError extends Error {
  constructor(
    readonly folder: string,
    readonly reason: string,
  ) {
    super(`${folder}: ${reason}; the configuration is one <environment>.yaml file per environment`);
    this.name = 'ConfigFolderError';
  }
}
