import { MonthlyCost } from './cost';

/** The exact last line `npm run cost` prints (and synth may print per environment). */
export function costSummaryLine(cost: MonthlyCost): string {
  return (
    `cost ${cost.environment}: $${cost.total.toFixed(2)}/month (${cost.load.sensors} sensors at ${cost.load.readingsPerSecondPerSensor}/s; ` +
    `naive design $${cost.naive.total.toFixed(2)}/month, ${cost.ratio.toFixed(1)}x)`
  );
}
