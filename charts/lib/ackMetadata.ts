import { ApiObjectMetadata } from 'cdk8s';
import { EnvironmentConfig } from './config';
import { ARGO_SYNC_WAVE_ANNOTATION, SYNC_WAVES, type SyncWave } from './conventions';
import { PlatformNames } from './names';
import { platformLabels } from './platformLabels';

const ACK_REGION_ANNOTATION = 'services.k8s.aws/region';
const ACK_DELETION_POLICY_ANNOTATION = 'services.k8s.aws/deletion-policy';

/** Metadata of an ACK resource: region pinned, deleted with the object, ordered by its wave. */
export function ackMetadata(config: EnvironmentConfig, names: PlatformNames, name: string, wave: SyncWave): ApiObjectMetadata {
  return {
    name,
    namespace: names.namespace,
    labels: platformLabels(config),
    annotations: {
      [ACK_REGION_ANNOTATION]: config.region,
      [ACK_DELETION_POLICY_ANNOTATION]: 'delete',
      [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]),
    },
  };
}
