import { DEFAULT_DURATION_ROWS, type StepStudyOptions, type StepStudyResult } from './stepStudy';

export function formatStepStudy(options: StepStudyOptions, result: StepStudyResult): string {
  const mode = options.fresh ? `a fresh detector per position (${options.warmupSamples}-row warm-up just before it)` : `one detector, ${options.warmupSamples}-row warm-up`;
  const lines = [
    `${mode}: ${(100 * result.baselineFlagged).toFixed(1)}% of the judged rows flagged without a step; ${result.positions.length} quiet positions`,
  ];
  for (const outcome of result.outcomes) {
    const size = `${outcome.step.sigmas > 0 ? '+' : ''}${outcome.step.sigmas} σ`;
    const name = `${outcome.step.metrics.join(' + ')} ${outcome.step.shape === 'ramp' ? `ramp to ${size} over ${options.durationRows ?? DEFAULT_DURATION_ROWS} rows` : size}`;
    const delay = outcome.medianDelay === undefined ? '-' : `${outcome.medianDelay} row${outcome.medianDelay === 1 ? '' : 's'}`;
    lines.push(`  ${name}: found at ${outcome.found} of ${result.positions.length}, median delay ${delay}, ${(100 * outcome.flaggedShare).toFixed(0)}% of its rows flagged`);
  }
  return `${lines.join('\n')}\n`;
}
