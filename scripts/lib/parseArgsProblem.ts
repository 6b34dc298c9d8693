/**
 * One line naming the flag strict parseArgs refused, in the words of the other tools' refusals
 * (`--bogus: unknown flag`). Node's own message advises `-- "--bogus"`, which would make the flag a file
 * name, and takes three lines for a value that starts with a dash (`--warmup -1`).
 */
export function parseArgsProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  const flag = /^(?:Unknown option|Option) '(-[^' ]+)/.exec(text)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) return `${flag}: unknown flag`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    if (/does not take an argument/.test(text)) return `${flag}: takes no value`;
    if (/ambiguous/.test(text)) return `${flag}: missing value (a value that starts with a dash is given as ${flag}=VALUE)`;
    return `${flag}: missing value`;
  }
  const positional = /^Unexpected argument '([^']*)'/.exec(text)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional !== undefined) return `${JSON.stringify(positional)}: unexpected argument`;
  return text.split('\n')[0] ?? text;
}
