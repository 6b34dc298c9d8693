import { apiGroupOf } from './apiGroupOf';
import { CONTROLLER_IDS, CONTROLLERS, GROUPS_WITHOUT_AWS_CALLS, type ControllerId, type RenderedObject } from './controllerPolicies';
import { metadataOf } from './metadataOf';

/** The controller that calls AWS for an object, or undefined for a group listed in GROUPS_WITHOUT_AWS_CALLS. */
export function controllerOf(object: RenderedObject): ControllerId | undefined {
  const objectGroup = apiGroupOf(object);
  const controller = CONTROLLER_IDS.find((id) => (CONTROLLERS[id] as readonly string[]).includes(objectGroup));
  if (controller) return controller;
  if (objectGroup in GROUPS_WITHOUT_AWS_CALLS) return undefined;
  throw new Error(
    `${String(object.kind)} ${metadataOf(object).name} (${String(object.apiVersion)}): no controller policy covers API group "${objectGroup}"; ` +
      `add it to CONTROLLERS or GROUPS_WITHOUT_AWS_CALLS in charts/lib/controllerPolicies.ts`,
  );
}
