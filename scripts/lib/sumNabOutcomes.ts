import type { NabOutcome } from './nabScore';

export function sumNabOutcomes(outcomes: readonly NabOutcome[]): NabOutcome {
  return {
    hits: outcomes.flatMap((outcome) => outcome.hits),
    missed: outcomes.reduce((sum, outcome) => sum + outcome.missed, 0),
    falsePositives: outcomes.reduce((sum, outcome) => sum + outcome.falsePositives, 0),
  };
}
