import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { planCapacity } from '../../charts/lib/capacity';
import { CONFIG_DIR, EnvironmentConfig, parseEnvironmentConfig } from '../../charts/lib/config';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../charts/lib/names';
import { PlatformChartProps } from '../../charts/lib/PlatformChart';

/** Props of a platform chart for an environment of config/ (dev by default), with overrides. */
export function platformProps(environment = 'dev', overrides: Partial<EnvironmentConfig> = {}): PlatformChartProps {
  const config = { ...loadEnvironmentConfig(environment), ...overrides };
  return { config, names: new PlatformNames(config), capacity: planCapacity(config) };
}

/** A rendered Kubernetes object as plain JSON. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string>; readonly labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Synthesizes one chart built by `build` in a fresh test app. */
export function synthChart(build: (app: ReturnType<typeof Testing.app>, props: PlatformChartProps) => Chart, environment = 'dev'): RenderedObject[] {
  const app = Testing.app();
  const chart = build(app, platformProps(environment));
  return Testing.synth(chart) as RenderedObject[];
}

/** The one object of a kind and name, failing loudly if it is missing. */
export function findObject(objects: readonly RenderedObject[], kind: string, name?: string): RenderedObject {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** One statement of a rendered IAM policy document. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a role's single inline policy (a role with several fails the test). */
export function inlineStatements<S = PolicyStatement>(role: RenderedObject): S[] {
  const policies = (role.spec as { inlinePolicies: Record<string, string> }).inlinePolicies;
  expect(Object.keys(policies)).toHaveLength(1);
  return (JSON.parse(Object.values(policies)[0]) as { Statement: S[] }).Statement;
}

/** The statements of a role's trust policy. */
export function trustStatements(role: RenderedObject): PolicyStatement[] {
  return (JSON.parse((role.spec as { assumeRolePolicyDocument: string }).assumeRolePolicyDocument) as { Statement: PolicyStatement[] }).Statement;
}

/**
 * Props of an environment at the second step of the processor's move to enhanced fan-out: its consumer
 * registered at `registeredAt` (epoch seconds) and recorded in the config with the time the new mapping
 * reads from, parsed as config/<environment>.yaml would be.
 */
export function fanOutStageProps(environment: string, registeredAt: number, readsFrom = new Date(registeredAt * 1000).toISOString().replace('.000Z', 'Z')): PlatformChartProps {
  const loaded = loadEnvironmentConfig(environment);
  const document = parse(readFileSync(join(CONFIG_DIR, `${environment}.yaml`), 'utf8')) as { capacity: Record<string, unknown> };
  const capacity = { ...document.capacity, processorFanOut: true, processorConsumerArn: `${new PlatformNames(loaded).processorConsumerArnPrefix}${registeredAt}`, processorConsumerReadsFrom: readsFrom };
  const config = parseEnvironmentConfig(loaded.sourceFile, { ...document, capacity });
  return { config, names: new PlatformNames(config), capacity: planCapacity(config) };
}

/** Every object of the committed manifests of every environment (manifests/<env>/*.k8s.yaml). */
export function committedObjects(): RenderedObject[] {
  const manifests = join(__dirname, '..', '..', 'manifests');
  return readdirSync(manifests, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((environment) =>
      readdirSync(join(manifests, environment.name))
        .filter((file) => file.endsWith('.k8s.yaml'))
        .flatMap((file) => parseAllDocuments(readFileSync(join(manifests, environment.name, file), 'utf8')).map((document) => document.toJSON() as RenderedObject | null)),
    )
    .filter((object): object is RenderedObject => object !== null);
}
