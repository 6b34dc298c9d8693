import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllerPolicyFiles } from '../../charts/lib/controllerPolicyFiles';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { renderedObjects } from '../../charts/lib/renderedObjects';
import { buildApp } from '../../main';
import { MANIFEST_FILE } from './manifestDiffSources';
import type { Rendering } from './manifestDiffTypes';
import { parseManifestFile } from './parseManifestFile';

/**
 * Renders `config/<environment>.yaml` of the working tree as `npm run synth` would, without writing
 * manifests/: the objects and the controller IAM documents synth writes beside them.
 */
export function renderEnvironmentWithDocuments(environment: string, configDir?: string): Rendering {
  const outdir = mkdtempSync(join(tmpdir(), 'manifest-diff-'));
  try {
    const app = buildApp(environment, outdir, configDir);
    app.synth();
    const objects = readdirSync(outdir)
      .filter((file) => MANIFEST_FILE.test(file))
      .sort()
      .flatMap((file) => parseManifestFile(file, readFileSync(join(outdir, file), 'utf8')));
    return { objects, documents: controllerPolicyFiles(loadEnvironmentConfig(environment, configDir), renderedObjects(app)) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
