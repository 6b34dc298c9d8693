import { ApiObjectMetadata } from 'cdk8s';
import { EnvironmentConfig } from './config';
import { ARGO_SYNC_WAVE_ANNOTATION, SYNC_WAVES, type SyncWave } from './conventions';
import { PlatformNames } from './names';
import { platformLabels } from './platformLabels';

const ACK_REGION_ANNOTATION = 'services.k8s.aws/region';
const ACK_DELETION_POLICY_ANNOTATION = 'services.k8s.aws/deletion-policy';
/** The ACK runtime's resource adoption (feature gate ResourceAdoption, on in the controllers' charts). */
const ACK_ADOPTION_POLICY_ANNOTATION = 'services.k8s.aws/adoption-policy';

/**
 * Metadata of an ACK resource: region pinned, deleted with the object, ordered by its wave. `adoptOrCreate`
 * for a resource AWS itself may have made under our name: the runtime then takes an existing one over instead
 * of failing terminally with "resource already exists" (which stops the sync at its wave).
 */
export function ackMetadata(config: EnvironmentConfig, names: PlatformNames, name: string, wave: SyncWave, adoptOrCreate = false): ApiObjectMetadata {
  return {
    name,
    namespace: names.namespace,
    labels: platformLabels(config),
    annotations: {
      [ACK_REGION_ANNOTATION]: config.region,
      [ACK_DELETION_POLICY_ANNOTATION]: 'delete',
      [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]),
      ...(adoptOrCreate ? { [ACK_ADOPTION_POLICY_ANNOTATION]: 'adopt-or-create' } : {}),
    },
  };
}
