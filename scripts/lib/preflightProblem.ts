/** One reason an environment is not ready to deploy, printed as one line. */
export interface PreflightProblem {
  /** The config file (`config/prod.yaml`) or the object (`processing.k8s.yaml EventSourceMapping telemetry-prod/esm-processor-prod`). */
  readonly subject: string;
  /** Dotted config field or JSON pointer of the object; `(object)` for the whole object. */
  readonly field: string;
  readonly wrong: string;
  readonly todo: string;
}

export function problemLine(environment: string, problem: PreflightProblem): string {
  return `preflight ${environment}: ${problem.subject}: ${problem.field}: ${problem.wrong}; ${problem.todo}`;
}

/** A bad command line: exit code 2 and one line naming the flag and value. */
export class PreflightUsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'PreflightUsageError';
  }
}

/** The longest value quoted in a message; longer ones (policies, inline documents) are cut. */
const MAX_VALUE_CHARS = 80;

export function quoteValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}
