import { ENVIRONMENT_NAME } from '../fleet/manifestEnvironments';
import { UsageError } from '../fleet/UsageError';

/** The `--env` flag (default `dev`): a folder name under manifests/, so nothing like `../x` reaches a path. */
export function environmentFlag(text: string | undefined): string {
  const environment = text ?? 'dev';
  if (!ENVIRONMENT_NAME.test(environment)) throw new UsageError(`--env must name an environment (a lower-case letter, then lower-case letters, digits and hyphens), got "${environment}"`);
  return environment;
}
