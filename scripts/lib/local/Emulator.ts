/** A local emulator of an AWS service: its endpoint on 127.0.0.1 and how to stop it. */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}
