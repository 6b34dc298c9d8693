import { JSON_STEP, type PathStep } from './manifestDiffValues';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.batchSize`, `metadata.annotations["services.k8s.aws/region"]`, `spec.tags[key="owner"].value`, `spec.widgets[2]`. */
export function formatPath(steps: readonly PathStep[]): string {
  let text = '';
  for (const step of steps) {
    if (step === JSON_STEP) text += JSON_STEP;
    else if (typeof step === 'number') text += `[${step}]`;
    else if (typeof step === 'object') text += `[${step.key}=${JSON.stringify(step.value)}]`;
    else if (IDENTIFIER.test(step)) text += text === '' ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}
