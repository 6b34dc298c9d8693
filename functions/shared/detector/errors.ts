/** Errors of the detector; callers can tell bad configuration from a corrupt checkpoint. */
export class DetectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * A setting breaks the shared schema: `setting` is its dotted path, `value` what was given, and
 * either `expected` (the rule in words) or `known` (the accepted names, for an unknown key).
 * Callers that show it in their own words (the environment config) read these fields.
 */
export class DetectorSettingsError extends DetectorError {
  readonly setting: string;
  readonly value: unknown;
  readonly expected?: string;
  readonly known?: readonly string[];

  constructor(setting: string, value: unknown, problem: { readonly expected: string } | { readonly known: readonly string[] }) {
    super(
      'known' in problem
        ? `unknown detection setting ${JSON.stringify(setting)} (known: ${problem.known.join(', ')})`
        : `${setting}: expected ${problem.expected}, got ${describe(value)}`,
    );
    this.setting = setting;
    this.value = value;
    if ('known' in problem) this.known = problem.known;
    else this.expected = problem.expected;
  }
}

/** A persisted state cannot be restored (unknown version, wrong shape, inconsistent sizes). */
export class DetectorStateError extends DetectorError {}

/** A sample breaks the input contract (a timestamp that is not a finite number of epoch milliseconds). */
export class DetectorInputError extends DetectorError {}
