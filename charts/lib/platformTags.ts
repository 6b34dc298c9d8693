import { EnvironmentConfig } from './config';

/** Tags every taggable resource carries. */
export function platformTags(config: EnvironmentConfig): Record<string, string> {
  return {
    project: 'plant-telemetry',
    environment: config.environment,
    owner: config.owner,
    'cost-center': config.costCenter,
    'data-classification': config.dataClassification,
  };
}
