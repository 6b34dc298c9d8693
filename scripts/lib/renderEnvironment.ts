import type { ManifestObject } from './manifestDiffTypes';
import { renderEnvironmentWithDocuments } from './renderEnvironmentWithDocuments';

/** The objects of the working tree's rendering of an environment. */
export function renderEnvironment(environment: string, configDir?: string): ManifestObject[] {
  return [...renderEnvironmentWithDocuments(environment, configDir).objects];
}
