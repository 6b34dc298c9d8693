import { EnvironmentConfig } from './config';

/** Labels every object carries, so `kubectl get -l` finds one environment's objects. */
export function platformLabels(config: EnvironmentConfig): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'plant-telemetry',
    'app.kubernetes.io/managed-by': 'cdk8s',
    'telemetry.plant/environment': config.environment,
  };
}
