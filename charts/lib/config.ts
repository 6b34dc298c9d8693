import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';
import { DETECTION_SETTING_NAMES, DetectorSettingsError, resolveDetectionSettings, type ResolvedDetectionSettings } from '../../functions/shared/detector';

/** The only region the platform may use: plant data must stay in São Paulo. */
export const ALLOWED_REGION = 'sa-east-1';

/** Validation bounds of the environment config, named so messages and docs quote the same numbers. */
export const CONFIG_LIMITS = {
  suffixPattern: /^[a-z][a-z0-9]{1,11}$/,
  idPattern: /^[a-z][a-z0-9-]{0,30}$/,
  accountIdPattern: /^[0-9]{12}$/,
  tagValuePattern: /^[A-Za-z0-9 _.:/=+@-]{1,128}$/,
  emailPattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  maxLines: 50,
  hotDays: { min: 1, max: 3650 },
  archiveYears: { min: 1, max: 30 },
  /** CloudWatch Logs accepts only these retention periods (days). */
  logDays: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
  sensors: { min: 1, max: 1_000_000 },
  readingsPerSecondPerSensor: { min: 0.001, max: 1000 },
  bytesPerReading: { min: 16, max: 4096 },
  /** The data contract allows 1 to 500 readings per message. */
  readingsPerMessage: { min: 1, max: 500 },
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
  readonly retention: { readonly hotDays: number; readonly archiveYears: number; readonly logDays: number };
  readonly capacity: {
    readonly sensors: number;
    readonly readingsPerSecondPerSensor: number;
    readonly bytesPerReading: number;
    readonly readingsPerMessage: number;
    /** Multiplier over the steady-state need, for bursts and catch-up after an outage. */
    readonly headroom: number;
    /** Force on-demand capacity mode instead of the derived shard count. @default false */
    readonly onDemand: boolean;
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
    private readonly raw: Raw,
    private readonly path: string,
    knownFields: readonly string[] | 'any',
  ) {
    if (knownFields === 'any') return;
    for (const key of Object.keys(raw)) {
      if (!knownFields.includes(key)) {
        throw new ConfigError(file, this.field(key), raw[key], `unknown field; allowed fields are ${knownFields.join(', ')}`);
      }
    }
  }

  field(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  string(name: string, pattern: RegExp, allowed: string): string {
    const value = this.raw[name];
    if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(this.file, this.field(name), value, allowed);
    return value;
  }

  number(name: string, bounds: { readonly min: number; readonly max: number }, integer: boolean): number {
    const value = this.raw[name];
    const kind = integer ? 'an integer' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
      throw new ConfigError(this.file, this.field(name), value, `expected ${kind} from ${bounds.min} to ${bounds.max}`);
    }
    return value;
  }

  optionalNumber(name: string, bounds: { readonly min: number; readonly max: number }, integer: boolean, fallback: number): number {
    return this.raw[name] === undefined ? fallback : this.number(name, bounds, integer);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new ConfigError(this.file, this.field(name), value, 'expected true or false');
    return value;
  }

  list(name: string, pattern: RegExp, allowed: string, maxItems: number): string[] {
    const value = this.raw[name];
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
    const value = this.raw[name] ?? (optional ? {} : undefined);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const expected = knownFields === 'any' ? 'a mapping' : `a mapping with fields ${knownFields.join(', ')}`;
      throw new ConfigError(this.file, this.field(name), value, `expected ${expected}`);
    }
    return new FieldReader(this.file, value as Raw, this.field(name), knownFields);
  }

  entries(): [string, unknown][] {
    return Object.entries(this.raw);
  }
}

const ID_RULE = 'expected lower-case letters, digits and hyphens, starting with a letter, at most 31 characters';

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

/** Validates one parsed config document; `file` is only used in messages. */
export function parseEnvironmentConfig(file: string, document: unknown): EnvironmentConfig {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(file, '(document)', document, 'expected a YAML mapping');
  }
  const root = new FieldReader(file, document as Raw, '', [
    'environment', 'suffix', 'accountId', 'region', 'owner', 'costCenter', 'dataClassification',
    'plant', 'alerts', 'retention', 'capacity', 'detection', 'gitops',
  ]);
  const region = (document as Raw).region;
  if (region !== ALLOWED_REGION) throw new DataResidencyError(file, 'region', region);

  const environment = root.string('environment', CONFIG_LIMITS.idPattern, ID_RULE);
  const expectedEnvironment = basename(file).replace(/\.ya?ml$/, '');
  if (environment !== expectedEnvironment) {
    throw new ConfigError(file, 'environment', environment, `expected "${expectedEnvironment}", the name of the file`);
  }
  const plant = root.section('plant', ['id', 'lines']);
  const alerts = root.section('alerts', ['anomalyEmails', 'opsEmails']);
  const retention = root.section('retention', ['hotDays', 'archiveYears', 'logDays']);
  const capacity = root.section('capacity', ['sensors', 'readingsPerSecondPerSensor', 'bytesPerReading', 'readingsPerMessage', 'headroom', 'onDemand']);
  root.section('detection', DETECTION_SETTING_NAMES);
  const gitops = root.section('gitops', ['repoURL', 'targetRevision']);
  const emailRule = 'expected an e-mail address';

  const logDays = (retention as FieldReader).number('logDays', { min: 1, max: 3653 }, true);
  if (!(CONFIG_LIMITS.logDays as readonly number[]).includes(logDays)) {
    throw new ConfigError(file, 'retention.logDays', logDays, `expected one of CloudWatch Logs' retention periods: ${CONFIG_LIMITS.logDays.join(', ')}`);
  }
  const hotDays = retention.number('hotDays', CONFIG_LIMITS.hotDays, true);
  const archiveYears = retention.number('archiveYears', CONFIG_LIMITS.archiveYears, true);

  return {
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
      anomalyEmails: alerts.list('anomalyEmails', CONFIG_LIMITS.emailPattern, emailRule, 20),
      opsEmails: alerts.list('opsEmails', CONFIG_LIMITS.emailPattern, emailRule, 20),
    },
    retention: { hotDays, archiveYears, logDays },
    capacity: {
      sensors: capacity.number('sensors', CONFIG_LIMITS.sensors, true),
      readingsPerSecondPerSensor: capacity.number('readingsPerSecondPerSensor', CONFIG_LIMITS.readingsPerSecondPerSensor, false),
      bytesPerReading: capacity.number('bytesPerReading', CONFIG_LIMITS.bytesPerReading, true),
      readingsPerMessage: capacity.number('readingsPerMessage', CONFIG_LIMITS.readingsPerMessage, true),
      headroom: capacity.optionalNumber('headroom', CONFIG_LIMITS.headroom, false, 2),
      onDemand: capacity.boolean('onDemand', false),
    },
    detection: readDetection(file, (document as Raw).detection),
    gitops: {
      repoURL: gitops.string('repoURL', /^(https:\/\/|ssh:\/\/|git@)\S+$/, 'expected an https://, ssh:// or git@ repository URL'),
      targetRevision: gitops.string('targetRevision', /^[A-Za-z0-9._/-]{1,100}$/, 'expected a branch, tag or commit'),
    },
  };
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

/** Environments that have a config file, sorted; ConfigFolderError when there is none. */
export function listEnvironments(configDir: string = CONFIG_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(configDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFolderError(configDir, code === 'ENOTDIR' ? 'not a folder' : code === 'ENOENT' ? 'no such folder' : `cannot be read (${code ?? 'error'})`);
  }
  const environments = names
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.replace(/\.yaml$/, ''))
    .sort();
  if (environments.length === 0) throw new ConfigFolderError(configDir, 'holds no .yaml file');
  return environments;
}

/** Loads and validates `config/<environment>.yaml`. */
export function loadEnvironmentConfig(environment: string, configDir: string = CONFIG_DIR): EnvironmentConfig {
  const path = join(configDir, `${environment}.yaml`);
  const file = relative(join(configDir, '..'), path);
  if (!CONFIG_LIMITS.idPattern.test(environment) || !existsSync(path)) {
    throw new ConfigError(file, '(environment)', environment, `unknown environment; known environments are ${listEnvironments(configDir).join(', ')}`);
  }
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, '(document)', (error as Error).message.split('\n')[0], 'expected valid YAML');
  }
  return parseEnvironmentConfig(file, document);
}
