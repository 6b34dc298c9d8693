import { ReplayUsageError } from './replayErrors';
import type { StepSpec } from './stepStudy';

/** `Volume Flow RateRMS=-5` or `Accelerometer1RMS+Accelerometer2RMS=20` (a ramp with `shape` 'ramp'). */
export function parseStep(text: string, shape: 'step' | 'ramp' = 'step'): StepSpec {
  const separator = text.lastIndexOf('=');
  const sigmas = Number(text.slice(separator + 1));
  const metrics = text.slice(0, Math.max(separator, 0)).split('+').filter((metric) => metric !== '');
  if (separator < 0 || metrics.length === 0 || text.slice(separator + 1).trim() === '' || !Number.isFinite(sigmas)) {
    throw new ReplayUsageError(`--${shape} must be METRIC[+METRIC]=SIGMAS (a finite number), got ${JSON.stringify(text)}`);
  }
  return shape === 'ramp' ? { metrics, sigmas, shape } : { metrics, sigmas };
}
