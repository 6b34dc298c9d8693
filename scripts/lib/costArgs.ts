import { parseArgs } from 'node:util';
import { CONFIG_DIR, CONFIG_LIMITS, EnvironmentConfig } from '../../charts/lib/config';
import { configFolderEnvironments } from './configFolderEnvironments';
import { decimalNumber } from './decimalNumber';
import { helpRequested } from './helpRequested';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { unknownEnvironment } from './unknownEnvironment';
import { userPathOr } from './userPathOr';

export const COST_USAGE =
  'usage: npm run cost -- [--env <env, default prod>] [--sensors N] [--rate R] [--readings-per-message K] [--bytes-per-reading B] [--headroom H] [--devices D] [--config-dir <dir>]';

/** A wrong command line: one line naming the flag, the value and what is allowed (exit 2). */
export class CostUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostUsageError';
  }
}

/** Capacity inputs the command line may override, with the config field each stands for. */
export const OVERRIDES = {
  sensors: { field: 'sensors', bounds: CONFIG_LIMITS.sensors, integer: true },
  rate: { field: 'readingsPerSecondPerSensor', bounds: CONFIG_LIMITS.readingsPerSecondPerSensor, integer: false },
  'readings-per-message': { field: 'readingsPerMessage', bounds: CONFIG_LIMITS.readingsPerMessage, integer: true },
  'bytes-per-reading': { field: 'bytesPerReading', bounds: CONFIG_LIMITS.bytesPerReading, integer: true },
  headroom: { field: 'headroom', bounds: CONFIG_LIMITS.headroom, integer: false },
} as const satisfies Record<string, { field: keyof EnvironmentConfig['capacity']; bounds: { min: number; max: number }; integer: boolean }>;

/** Devices (things) have no config field: one per asset unless given. */
export const DEVICES_LIMITS = { min: 1, max: 1_000_000 } as const;

/** The flags `cost` takes; the usage names each of them (a test holds them together). */
export const COST_FLAGS = {
  env: { type: 'string' },
  devices: { type: 'string' },
  'config-dir': { type: 'string' },
  ...Object.fromEntries(Object.keys(OVERRIDES).map((flag) => [flag, { type: 'string' }])),
} as const;

export type OverrideFlag = keyof typeof OVERRIDES;

export interface CostOptionsFromArgs {
  readonly environment: string;
  readonly capacity: Partial<Record<(typeof OVERRIDES)[OverrideFlag]['field'], number>>;
  readonly devices?: number;
  /** The config folder `--config-dir` names (resolved from where npm was started), absent for config/. */
  readonly configDir?: string;
}

function numberFlag(flag: string, text: string, bounds: { readonly min: number; readonly max: number }, integer: boolean): number {
  const value = decimalNumber(text);
  const kind = integer ? 'a whole number' : 'a number';
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
    throw new CostUsageError(`cost: --${flag}: value ${JSON.stringify(text)} is not allowed; expected ${kind} from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}

/** Parses the command line: 'help' for `--help`/`-h`; every error is one CostUsageError line naming the flag and value. */
export function parseCostArgs(argv: readonly string[]): CostOptionsFromArgs | 'help' {
  if (helpRequested(argv)) return 'help';
  const { tokens } = parseArgs({ args: [...argv], options: COST_FLAGS, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new CostUsageError(`cost: ${JSON.stringify(token.value)}: unexpected argument; ${COST_USAGE}`);
    if (token.kind !== 'option') continue;
    if (!(token.name in COST_FLAGS)) throw new CostUsageError(`cost: ${token.rawName}: unknown flag; ${COST_USAGE}`);
    // A separate value that looks like a flag (`--sensors --rate 1`) means the value was forgotten.
    if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new CostUsageError(`cost: ${token.rawName}: missing value; ${COST_USAGE}`);
    }
    values.set(token.name, token.value);
  }
  refuseRepeatedFlags(tokens, COST_FLAGS, (message) => new CostUsageError(`cost: ${message}`));
  const capacity: Partial<Record<(typeof OVERRIDES)[OverrideFlag]['field'], number>> = {};
  for (const [flag, spec] of Object.entries(OVERRIDES) as [OverrideFlag, (typeof OVERRIDES)[OverrideFlag]][]) {
    const text = values.get(flag);
    if (text !== undefined) capacity[spec.field] = numberFlag(flag, text, spec.bounds, spec.integer);
  }
  const devices = values.get('devices');
  const environment = values.get('env') ?? 'prod';
  // Checked here so the refusal names the flag; the config loader would name a file that does not exist.
  // A config folder other than config/ (a new environment tried in a scratch copy) is named as given.
  const configDirText = values.get('config-dir');
  const configDir = userPathOr(configDirText, CONFIG_DIR);
  const known = configFolderEnvironments(configDirText, configDir, (message) => new CostUsageError(`cost: ${message}`));
  if (!known.includes(environment)) throw new CostUsageError(`cost: ${unknownEnvironment(environment, known, configDirText)}`);
  return {
    environment,
    capacity,
    ...(configDirText === undefined ? {} : { configDir }),
    ...(devices === undefined ? {} : { devices: numberFlag('devices', devices, DEVICES_LIMITS, true) }),
  };
}
