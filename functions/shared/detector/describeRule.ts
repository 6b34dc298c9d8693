export interface NumberRule {
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly note?: string;
}

/** The rule of a numeric setting in words, the same in every message that quotes it. */
export function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  const range = rule.minExclusive
    ? `${kind} above ${rule.min} and at most ${rule.max}`
    : `${kind} from ${rule.min} to ${rule.maxExclusive ? 'below ' : ''}${rule.max}`;
  return rule.note === undefined ? range : `${range} (${rule.note})`;
}
