import { ApiObjectMetadata } from 'cdk8s';
import { EnvironmentConfig } from './config';
import { ARGO_SYNC_WAVE_ANNOTATION, SYNC_WAVES, type SyncWave } from './conventions';
import { platformLabels } from './platformLabels';

/** Metadata for plain Kubernetes and Argo CD objects. */
export function kubernetesMetadata(config: EnvironmentConfig, name: string, namespace: string | undefined, wave: SyncWave): ApiObjectMetadata {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: platformLabels(config),
    annotations: { [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]) },
  };
}
