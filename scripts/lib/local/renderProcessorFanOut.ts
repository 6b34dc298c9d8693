import { join } from 'node:path';
import { CONFIG_DIR } from '../../../charts/lib/config';
import { buildApp } from '../../../main';
import { writeProcessorFanOutConfig } from './writeProcessorFanOutConfig';

/**
 * The load test's `--fan-out`: renders the environment at the second step of the move to enhanced fan-out
 * (see writeProcessorFanOutConfig) into `workDir` and returns the manifests folder. The charts render that
 * step, so the run exercises what a deploy of it would: the consumer, the renamed mapping, its role and the
 * capacity plan's shard count.
 */
export function renderProcessorFanOut(environment: string, registeredAt: number, workDir: string, configDir: string = CONFIG_DIR): string {
  const stageConfigDir = writeProcessorFanOutConfig(environment, registeredAt, workDir, configDir);
  const manifestsDir = join(workDir, 'manifests', environment);
  buildApp(environment, manifestsDir, stageConfigDir).synth();
  return manifestsDir;
}
