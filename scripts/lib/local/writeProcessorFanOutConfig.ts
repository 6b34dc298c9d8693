import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CONFIG_DIR } from '../../../charts/lib/config';
import { registeredConsumerArn } from './registeredConsumerArn';

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
