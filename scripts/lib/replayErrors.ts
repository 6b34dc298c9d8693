/** Errors of the replay and benchmark tools; the CLI prints `replay: <message>` and exits non-zero. */
export class ReplayError extends Error {
  /** Process exit code: 2 for wrong usage, 1 for unreadable or invalid input. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Wrong command line (unknown flag or format, missing argument). */
export class ReplayUsageError extends ReplayError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** An input file is missing or malformed; the message names file, line and column. */
export class ReplayInputError extends ReplayError {}
