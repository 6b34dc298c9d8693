/** A local emulator of an AWS service: its endpoint on 127.0.0.1 and how to stop it. */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
  /** Busy and idle time of its event loop so far (an emulator in a worker thread), in ms. */
  utilization?(): LoopTime;
}

/** Time an event loop spent busy and idle, in ms (from `eventLoopUtilization()`). */
export interface LoopTime {
  readonly active: number;
  readonly idle: number;
}
