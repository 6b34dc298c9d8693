import { DEADLINE } from './constants';

/** The part of the Lambda context a deadline needs. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * Time left in an invocation minus a safety margin. Work checks it before it starts, and calls
 * are aborted when it runs out, so the function reports unfinished records for retry instead of
 * running into its timeout (which would retry the whole batch and say nothing).
 */
export class Deadline {
  readonly marginMs: number;
  readonly #context: RemainingTime;

  constructor(context: RemainingTime, marginMs?: number) {
    this.#context = context;
    this.marginMs =
      marginMs ??
      Math.min(DEADLINE.maxMarginMs, Math.max(DEADLINE.minMarginMs, context.getRemainingTimeInMillis() * DEADLINE.marginRatio));
  }

  /** Milliseconds left before the margin; 0 or less means stop starting work. */
  remainingMs(): number {
    return this.#context.getRemainingTimeInMillis() - this.marginMs;
  }

  isExpired(): boolean {
    return this.remainingMs() <= 0;
  }
}
