export interface NabProfile {
  readonly name: string;
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly falseNegative: number;
}

/** Score of a prediction at curve position x: A_tp at −π/2 falling to A_fp at π/2. */
export function nabCurve(x: number, profile: NabProfile): number {
  const half = (profile.truePositive - profile.falsePositive) / 2;
  return half * (-Math.tanh(x) / Math.tanh(Math.PI / 2)) + half + profile.falsePositive;
}
