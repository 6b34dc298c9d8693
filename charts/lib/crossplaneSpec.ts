import { PlatformNames } from './names';

/**
 * Spec fields every Crossplane managed resource shares: the namespaced ProviderConfig of the
 * environment and management policies that include Delete (v2 has no deletionPolicy).
 */
export function crossplaneSpec(names: PlatformNames): {
  providerConfigRef: { kind: string; name: string };
  managementPolicies: string[];
} {
  return {
    providerConfigRef: { kind: 'ProviderConfig', name: names.crossplaneProviderConfig },
    // No LateInitialize: Crossplane would write provider defaults into forProvider and Argo CD self-heal would undo them forever.
    managementPolicies: ['Observe', 'Create', 'Update', 'Delete'],
  };
}
