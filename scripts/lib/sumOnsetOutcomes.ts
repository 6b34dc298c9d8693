import type { OnsetOutcome } from './onsetOutcome';

export function sumOnsetOutcomes(outcomes: readonly OnsetOutcome[]): OnsetOutcome {
  return { delays: outcomes.flatMap((outcome) => outcome.delays), missed: outcomes.reduce((sum, outcome) => sum + outcome.missed, 0) };
}
