import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfig } from './config';
import { CONTROLLER_POLICY_DIR, type RenderedObject } from './controllerPolicies';
import { controllerPolicyFiles } from './controllerPolicyFiles';

/** Writes the controller policies of an environment below its rendered manifests (`outdir` = `manifests/<env>`). */
export function writeControllerPolicies(config: EnvironmentConfig, objects: readonly RenderedObject[], outdir: string): void {
  mkdirSync(join(outdir, CONTROLLER_POLICY_DIR), { recursive: true });
  for (const [file, content] of Object.entries(controllerPolicyFiles(config, objects))) writeFileSync(join(outdir, file), content);
}
