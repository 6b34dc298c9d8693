import { ApiObjectMetadata } from 'cdk8s';
import { EnvironmentConfig } from './config';
import { ARGO_SYNC_WAVE_ANNOTATION, SYNC_WAVES, type SyncWave } from './conventions';
import { PlatformNames } from './names';
import { platformLabels } from './platformLabels';

/** Metadata of a Crossplane v2 namespaced managed resource (region goes in spec.forProvider). */
export function crossplaneMetadata(config: EnvironmentConfig, names: PlatformNames, name: string, wave: SyncWave): ApiObjectMetadata {
  return {
    name,
    namespace: names.namespace,
    labels: platformLabels(config),
    annotations: { [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]) },
  };
}
