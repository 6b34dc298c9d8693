import type { MessageStages } from './publishLatencies';

/** Median stages (ms) of a group of messages. */
export interface StageMedians {
  readonly messages: number;
  readonly toStream: number;
  readonly inStream: number;
  readonly inInvocation: number;
}

const median = (values: number[]): number => {
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
};

const e2eOf = (stage: MessageStages): number => stage.toStream + stage.inStream + stage.inInvocation;

/**
 * Where the tail's time went: the median of each stage over the slowest `share` (0..1] of the messages
 * published in [from, to), at least one message; undefined when none was published there.
 */
export function slowestStages(stages: readonly MessageStages[], from: number, to: number, share: number): StageMedians | undefined {
  const inWindow = stages.filter((stage) => stage.publishedAt >= from && stage.publishedAt < to);
  if (inWindow.length === 0) return undefined;
  inWindow.sort((a, b) => e2eOf(b) - e2eOf(a));
  const slowest = inWindow.slice(0, Math.max(1, Math.ceil(share * inWindow.length)));
  return {
    messages: slowest.length,
    toStream: median(slowest.map((stage) => stage.toStream)),
    inStream: median(slowest.map((stage) => stage.inStream)),
    inInvocation: median(slowest.map((stage) => stage.inInvocation)),
  };
}
