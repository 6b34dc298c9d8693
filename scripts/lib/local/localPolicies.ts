import type { PolicyDocument } from '../policyProofRender';
import type { SimulatedPolicies } from '../policyProofSimulator';
import { LOCAL_REGION } from './constants';
import type { LocalManifests } from './LocalManifests';

/**
 * The manifests' access-control documents in the shape the policy proof's simulator reads (`PolicySimulator`),
 * so the local pipeline decides its calls with the evaluator the proof and the tests use. The managed policies
 * are there for the operator tools that read the local tables (DynamoRouter); the controllers' policies are left
 * out: nothing of the local pipeline acts as a controller.
 */
export function localPolicies(manifests: LocalManifests): SimulatedPolicies {
  const { access, accountId } = manifests;
  const roleBoundaryArn = access.roles.find((role) => role.boundary !== undefined)?.boundary ?? '';
  return {
    // The pipeline runs the platform's region only (readManifests).
    config: { region: LOCAL_REGION, accountId },
    names: {
      roleArn: (roleName: string) => `arn:aws:iam::${accountId}:role/${roleName}`,
      controllerRoleName: (controller: string) => controller,
      roleBoundaryArn,
    },
    roles: new Map(access.roles.map((role) => [role.name, { trust: role.trust, inline: role.inline, boundary: role.boundary }])),
    roleBoundary: access.roleBoundary,
    managedPolicies: new Map(access.managedPolicies.map(({ name, document }) => [name, document])),
    controllerPolicies: new Map(),
    keyPolicy: access.keyPolicy ?? { id: 'no Key in the manifests', document: { Version: '2012-10-17', Statement: [] } },
    resourcePolicies: new Map(access.resourcePolicies.map(({ arn, document }) => [arn, document])),
    devicePolicy: { id: `IoT Policy ${manifests.devicePolicy?.name ?? '(none)'}`, document: (manifests.devicePolicy?.document ?? { Statement: [] }) as unknown as PolicyDocument },
    endpointPolicies: new Map(access.endpointPolicies.map(({ service, document }) => [service, document])),
  };
}
