import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_LIMITS } from '../../../charts/lib/config';

/** An environment name as config/<env>.yaml and manifests/<env>/ spell it; anything else could leave manifests/. */
export const ENVIRONMENT_NAME = CONFIG_LIMITS.idPattern;

/** The environments with rendered manifests: the folders of `manifestsDirectory` that hold `*.k8s.yaml` files. */
export function manifestEnvironments(manifestsDirectory: string): string[] {
  if (!existsSync(manifestsDirectory)) return [];
  return readdirSync(manifestsDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && ENVIRONMENT_NAME.test(entry.name))
    .filter((entry) => readdirSync(join(manifestsDirectory, entry.name)).some((file) => file.endsWith('.k8s.yaml')))
    .map((entry) => entry.name)
    .sort();
}
