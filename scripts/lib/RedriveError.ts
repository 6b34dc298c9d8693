/**
 * A redrive that cannot start: wrong command line or an environment whose config does not load.
 * The CLI prints `redrive: <message>` and exits with `exitCode` (2: usage or config).
 */
export class RedriveError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}
