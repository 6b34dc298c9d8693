/** The refusal of an `--env` the config folder has no file for, naming the flag rather than the file it would be. */
export function unknownEnvironment(environment: string, known: readonly string[], folder = 'config/'): string {
  return `--env: value ${JSON.stringify(environment)} is not allowed; expected an environment of ${folder}: ${known.join(', ')}`;
}
