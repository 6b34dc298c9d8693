import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CONFIG_DIR, loadEnvironmentConfig } from '../../../charts/lib/config';
import { PlatformNames } from '../../../charts/lib/names';
import { buildApp } from '../../../main';

/** The processor consumer's ARN as AWS would give it, registered at `registeredAt` (epoch ms). */
export function registeredConsumerArn(environment: string, registeredAt: number, configDir: string = CONFIG_DIR): string {
  return `${new PlatformNames(loadEnvironmentConfig(environment, configDir)).processorConsumerArnPrefix}${Math.floor(registeredAt / 1000)}`;
}

/**
 * Writes config/<environment>.yaml into `workDir` as it stands after the processor's consumer is registered at
 * `registeredAt` (epoch ms) and its ARN recorded (`capacity.processorFanOut: true`, `processorConsumerArn`, and
 * `processorConsumerReadsFrom` at the registration: the second step of docs/operations.md's move to enhanced
 * fan-out), from the environment's own config, and returns that config folder.
 */
export function writeProcessorFanOutConfig(environment: string, registeredAt: number, workDir: string, configDir: string = CONFIG_DIR): string {
  const document = parse(readFileSync(join(configDir, `${environment}.yaml`), 'utf8')) as { capacity?: Record<string, unknown> };
  const capacity = {
    ...(document.capacity ?? {}),
    processorFanOut: true,
    processorConsumerArn: registeredConsumerArn(environment, registeredAt, configDir),
    processorConsumerReadsFrom: new Date(Math.floor(registeredAt / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
  };
  const stageConfigDir = join(workDir, 'config');
  mkdirSync(stageConfigDir, { recursive: true });
  writeFileSync(join(stageConfigDir, `${environment}.yaml`), stringify({ ...document, capacity }));
  return stageConfigDir;
}

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
