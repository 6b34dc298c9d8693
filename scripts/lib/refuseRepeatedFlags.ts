/** What the check reads of a parseArgs token (`tokens: true`): an option's name and value. */
interface FlagToken {
  readonly kind: string;
  readonly name?: string;
  readonly value?: string | undefined;
}

/** A tool's parseArgs options: which flags take a value, and which may repeat. */
type FlagOptions = Readonly<Record<string, { readonly type: string; readonly multiple?: boolean }>>;

/**
 * Refuses a flag that takes one value and was given twice (`--env dev --env prod`): parseArgs keeps the
 * last, so the value the operator meant may be dropped without a word, on a command that may not be
 * undone. Flags declared `multiple` may repeat, and so may a boolean flag (it says nothing new). The
 * tool makes its own usage error (exit 2) of the one-line message, which names the flag and both values.
 */
export function refuseRepeatedFlags(tokens: readonly FlagToken[], options: FlagOptions, refusal: (message: string, flag: string) => Error): void {
  const first = new Map<string, string>();
  for (const { kind, name, value } of tokens) {
    if (kind !== 'option' || name === undefined || value === undefined || !Object.hasOwn(options, name)) continue;
    const option = options[name];
    if (option?.type !== 'string' || option.multiple === true) continue;
    const earlier = first.get(name);
    if (earlier !== undefined) throw refusal(`--${name} is given twice (${JSON.stringify(earlier)} and ${JSON.stringify(value)}); give it once`, `--${name}`);
    first.set(name, value);
  }
}
