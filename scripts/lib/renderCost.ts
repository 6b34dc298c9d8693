import { PRICES_AS_OF, PRICES_REGION } from '../../charts/lib/prices';
import { CostExposure, CostLine, MonthlyCost } from './cost';
import { costSummaryLine } from './costSummaryLine';
import { totalsByService } from './totalsByService';

const usd = (value: number): string => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const quantity = (value: number): string => Number(value.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 6 });
const unitPrice = (line: CostLine): string => `$${line.unitPrice}${line.unsure ? '*' : ''}`;

/** Lines as an aligned table: service, item, quantity x unit price = dollars, then how the quantity came about. */
function costTable(lines: readonly CostLine[]): string[] {
  const cells = lines.map((line) => [line.service, line.item, `${quantity(line.quantity)} ${line.unit}`, `x ${unitPrice(line)}`, `= ${usd(line.usd)}`, line.basis]);
  const widths = [0, 1, 2, 3, 4].map((column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => (column === 4 ? cell.padStart(widths[column] ?? 0) : column === 5 ? `(${cell})` : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The naive design's lines that differ from the platform's, and the platform's lines it has no counterpart for. */
function naiveDifferences(cost: MonthlyCost): string[] {
  const platform = new Map(cost.lines.map((line) => [line.id, line]));
  const naiveIds = new Set(cost.naive.lines.map((line) => line.id));
  const changed = cost.naive.lines.filter((line) => Math.abs((platform.get(line.id)?.usd ?? 0) - line.usd) > 0.005);
  const dropped = cost.lines.filter((line) => !naiveIds.has(line.id));
  return [...costTable(changed), ...dropped.map((line) => `(the naive design has no "${line.service} ${line.item}" line, ${usd(line.usd)} above)`)];
}

/** The costs the total leaves out: each line, what it replaces or how long it lasts, and where to watch for it. */
function exposureSection(cost: MonthlyCost): string[] {
  if (cost.exposures.length === 0) return [];
  const replaced = new Map(cost.lines.map((line) => [line.id, line]));
  const rows = costTable(cost.exposures.map((exposure) => exposure.line));
  const effect = (exposure: CostExposure): string => {
    if (exposure.kind === 'per-incident-hour') return `on top of the total for every hour it lasts: +${usd(exposure.line.usd)}`;
    const instead = replaced.get(exposure.replaces);
    const delta = exposure.line.usd - (instead?.usd ?? 0);
    return `instead of ${usd(instead?.usd ?? 0)} (${instead === undefined ? exposure.replaces : `${instead.service} ${instead.item}`}): ${delta >= 0 ? '+' : '-'}${usd(Math.abs(delta))}/month`;
  };
  return [
    'exposure, left out of the total (it depends on how AWS and the devices behave):',
    ...cost.exposures.flatMap((exposure, index) => [`  ${rows[index] ?? ''}`, `    ${effect(exposure)}; watch ${exposure.watch}`]),
    '',
  ];
}

/** The whole report: inputs, derivation, priced lines, totals per service, the naive design, the summary line. */
export function renderCost(cost: MonthlyCost, sourceFile: string): string[] {
  const byService = totalsByService(cost.lines).map((entry) => `${entry.service} ${usd(entry.usd)}`);
  return [
    `cost of ${cost.environment} (${sourceFile}), ${PRICES_REGION} list prices as of ${PRICES_AS_OF} (charts/lib/prices.ts):`,
    ...cost.derivation.map((line) => `  ${line}`),
    '',
    ...costTable(cost.lines).map((line) => `  ${line}`),
    '',
    `  by service: ${byService.join(', ')}`,
    `  total: ${usd(cost.total)}/month`,
    '',
    ...exposureSection(cost),
    'naive design (one DynamoDB item per reading, devices publishing to a plain topic instead of Basic Ingest), lines that differ:',
    ...naiveDifferences(cost).map((line) => `  ${line}`),
    `  total: ${usd(cost.naive.total)}/month`,
    costSummaryLine(cost),
  ];
}
