import { NORMAL_QUANTILE_999 } from './constants';

/**
 * Quantile of the chi-square distribution with `degrees` degrees of freedom at the normal
 * quantile `normalQuantile`, by the Wilson-Hilferty cube approximation: at the 0.999 level it is
 * 3.1% above the exact value for one degree of freedom, within 2% from three and 1% from six on.
 * The threshold is a factor times this limit, so the small bias only shifts the factor.
 */
export function chiSquareQuantile(degrees: number, normalQuantile: number = NORMAL_QUANTILE_999): number {
  const spread = 2 / (9 * degrees);
  const root = 1 - spread + normalQuantile * Math.sqrt(spread);
  return degrees * root * root * root;
}
