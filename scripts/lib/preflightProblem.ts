/** One reason an environment is not ready to deploy, printed as one line. */
export interface PreflightProblem {
  /** The config file (`config/prod.yaml`) or the object (`processing.k8s.yaml EventSourceMapping telemetry-prod/esm-processor-prod`). */
  readonly subject: string;
  /** Dotted config field or JSON pointer of the object; `(object)` for the whole object. */
  readonly field: string;
  readonly wrong: string;
  readonly todo: string;
}

/** A bad command line: exit code 2 and one line naming the flag and value. */
export class PreflightUsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'PreflightUsageError';
  }
}
