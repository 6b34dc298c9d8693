import { apiGroupOf } from './apiGroupOf';
import { EnvironmentConfig } from './config';
import { CONTROLLER_POLICY_DIR, controllerPolicies, type RenderedObject } from './controllerPolicies';
import { ROLE_BOUNDARY_FILE, roleBoundaryDocument } from './roleBoundary';
import { stableJson } from './stableJson';

/** File name (relative to the manifests folder of the environment) -> content of every controller policy. */
export function controllerPolicyFiles(config: EnvironmentConfig, objects: readonly RenderedObject[]): Record<string, string> {
  const files = Object.entries(controllerPolicies(config, objects)).map(([controller, document]) => [`${CONTROLLER_POLICY_DIR}/${controller}.json`, stableJson(document)]);
  // The boundary every role the IAM controller creates must carry (a managed policy the platform team creates).
  const hasRoles = objects.some((object) => apiGroupOf(object) === 'iam.services.k8s.aws' && object.kind === 'Role');
  if (hasRoles) files.push([`${CONTROLLER_POLICY_DIR}/${ROLE_BOUNDARY_FILE}`, stableJson(roleBoundaryDocument(objects))]);
  return Object.fromEntries(files);
}
