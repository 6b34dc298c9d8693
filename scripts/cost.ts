/**
 * The monthly cost of an environment at its configured capacity, or at capacity inputs given on the
 * command line, per service and line item (quantity x sa-east-1 list price), beside the same load on
 * the naive design (one DynamoDB item per reading, plain-topic IoT messaging).
 *
 *   npm run cost -- [--env prod] [--sensors N] [--rate R] [--readings-per-message K] [--bytes-per-reading B] [--headroom H] [--devices D] [--config-dir <dir>]
 *
 * Prices: charts/lib/prices.ts (dated, with their pages; `*` marks an unsure figure). Model and
 * assumptions: scripts/lib/cost.ts. Last line:
 *   cost <env>: $<total>/month (<sensors> sensors at <rate>/s; naive design $<naive>/month, <ratio>x)
 *
 * Exit code: 0; 2 for a wrong flag, an unknown environment or inputs the capacity plan refuses (one line).
 */
import { planCapacity, type CapacityPlan } from '../charts/lib/capacity';
import { ConfigError, type EnvironmentConfig } from '../charts/lib/config';
import { loadEnvironmentConfig } from '../charts/lib/loadEnvironmentConfig';
import { COST_USAGE, CostUsageError, OVERRIDES, parseCostArgs, type CostOptionsFromArgs } from './lib/costArgs';
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { monthlyCost } from './lib/monthlyCost';
import { renderCost } from './lib/renderCost';
import { withCapacityOverrides } from './lib/withCapacityOverrides';

/**
 * The capacity plan; a refusal of a value the command line gave names its flag rather than the config file,
 * which holds another value (`--sensors: value 1000000 is not allowed; ...`), and says where the other inputs came from.
 */
function planWithOverrides(config: EnvironmentConfig, options: CostOptionsFromArgs): CapacityPlan {
  try {
    return planCapacity(config);
  } catch (error) {
    const given = Object.entries(OVERRIDES).filter(([, spec]) => options.capacity[spec.field] !== undefined);
    if (!(error instanceof ConfigError) || given.length === 0) throw error;
    const inputs = `inputs: ${given.map(([flag, spec]) => `--${flag} ${options.capacity[spec.field]}`).join(' ')}, the rest from ${config.sourceFile}`;
    const flag = given.find(([, spec]) => `capacity.${spec.field}` === error.field)?.[0];
    const line = error.message.split('\n')[0] ?? '';
    if (flag === undefined) throw new CostUsageError(`cost: ${line} (${inputs})`);
    // The message without its `<file>: <field>: ` head, which named the file's field instead of the flag.
    throw new CostUsageError(`cost: --${flag}: ${line.slice(`${error.file}: ${error.field}: `.length)} (${inputs})`);
  }
}

function main(): void {
  const options = parseCostArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${COST_USAGE}\n`);
    return;
  }
  const fileConfig = loadEnvironmentConfig(options.environment, options.configDir);
  const config = withCapacityOverrides(fileConfig, options.capacity);
  const plan = planWithOverrides(config, options);
  const cost = monthlyCost(config, plan, options.devices === undefined ? {} : { devices: options.devices });
  const overridden = Object.keys(options.capacity).length > 0 || options.devices !== undefined;
  const source = overridden ? `${config.sourceFile} with command-line capacity` : config.sourceFile;
  for (const line of renderCost(cost, source)) process.stdout.write(`${line}\n`);
}

// `npm run cost | head` closes the pipe early: exit 0 rather than crash on EPIPE.
exitQuietlyOnClosedPipe();
try {
  main();
} catch (error) {
  // Usage errors, config errors and the capacity plan's refusals are all one line naming what to change.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${error instanceof CostUsageError ? '' : 'cost: '}${message.split('\n')[0]}\n`);
  process.exitCode = 2;
}
