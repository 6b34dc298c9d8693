import type { CircuitBreaker } from './CircuitBreaker';
import type { Deadline } from './Deadline';
import { sleep as realSleep } from './sleep';

/**
 * Holds a failed batch until the open circuits would let a probe through, bounded by the
 * deadline. The event source mapping retries a Kinesis batch at once, so without this a batch
 * that failed fast would spend all its retry attempts within milliseconds against an open
 * circuit and go to the dead-letter queue; with it every retry is a real probe.
 */
export async function paceRetry(
  breakers: readonly CircuitBreaker[],
  deadline: Deadline,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<number> {
  const wait = Math.min(Math.max(0, ...breakers.map((b) => b.msUntilProbe())), Math.max(0, deadline.remainingMs()));
  if (wait > 0) await sleep(wait);
  return wait;
}
