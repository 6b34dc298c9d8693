import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { GitOpsChart } from '../../charts/gitops';
import { CONTROLLERS } from '../../charts/lib/controllerPolicies';
import { committedObjects, findObject, platformProps, RenderedObject } from '../helpers/platform';

const root = join(__dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'controllers.md'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** Text with line breaks and indentation as single spaces, for phrases that wrap. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

/** The Crossplane provider packages whose groups the provider role serves (`iot.aws.m.upbound.io` is `provider-aws-iot`). */
const PROVIDER_PACKAGES = CONTROLLERS['crossplane-provider-aws'].map((group) => `provider-aws-${group.slice(0, group.indexOf('.'))}`);

/** Kinds the manifests render, by API group. */
function kindsByGroup(): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>();
  for (const object of committedObjects()) {
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    kinds.set(group, (kinds.get(group) ?? new Set()).add(object.kind));
  }
  return kinds;
}

/** The paragraphs (or list items) of a text that mention `word`. */
function passagesWith(text: string, word: string): string[] {
  return text
    .split(/\n\s*\n|\n(?=\s*(?:- |\d+\. ))/)
    .filter((passage) => passage.includes(word))
    .map(flat);
}

describe('docs/controllers.md and the README on the controllers', () => {
  const gitops = Testing.synth(new GitOpsChart(Testing.app(), 'gitops', platformProps('dev'))) as RenderedObject[];

  it('every passage on the DeploymentRuntimeConfig names each provider package the provider role serves', () => {
    expect(PROVIDER_PACKAGES).toEqual(['provider-aws-iot', 'provider-aws-kinesis', 'provider-aws-firehose', 'provider-aws-glue', 'provider-aws-athena']);
    for (const [name, text] of [['docs/controllers.md', guide], ['README.md', readme]] as const) {
      const passages = passagesWith(text, '`DeploymentRuntimeConfig`');
      expect([name, passages.length > 0]).toEqual([name, true]);
      for (const passage of passages) {
        expect([name, passage, PROVIDER_PACKAGES.filter((providerPackage) => !passage.includes(`\`${providerPackage}\``))]).toEqual([name, passage, []]);
      }
    }
  });

  it('lists every kind the manifests render under the controller that reconciles it', () => {
    const kinds = kindsByGroup();
    const crossplaneGroups = [...kinds.keys()].filter((group) => group.endsWith('aws.m.upbound.io'));
    const rows: [string, string, string[]][] = [];
    for (const line of guide.split('\n')) {
      const ack = /^\| ACK ([a-z0-9]+)-controller \| [^|]+ \| ([^|]+) \|$/.exec(line);
      if (ack) rows.push([ack[1] as string, ack[2] as string, [`${ack[1] as string}.services.k8s.aws`]]);
      if (line.startsWith('| Crossplane v2')) rows.push(['crossplane', line.split('|')[3] as string, crossplaneGroups]);
    }
    expect(rows.map(([service]) => service).sort()).toEqual([...[...kinds.keys()].filter((group) => group.endsWith('.services.k8s.aws')).map((group) => group.split('.')[0]), 'crossplane'].sort());
    for (const [service, column, groups] of rows) {
      const missing = groups.flatMap((group) => [...(kinds.get(group) ?? [])]).filter((kind) => !new RegExp(`\\b${kind}\\b`).test(column));
      expect([service, missing]).toEqual([service, []]);
    }
    // The Crossplane row names every provider package too, in the README's controller table as well.
    for (const row of [guide, readme].map((text) => text.split('\n').find((line) => line.startsWith('| Crossplane v2')) ?? '')) {
      expect(PROVIDER_PACKAGES.filter((providerPackage) => !row.includes(providerPackage))).toEqual([]);
    }
  });

  it('offers IRSA only where the rendered credentials allow it: the ProviderConfig takes Pod Identity', () => {
    const providerConfig = findObject(gitops, 'ProviderConfig');
    expect((providerConfig.spec as { credentials: { source: string } }).credentials.source).toBe('PodIdentity');
    expect(guide).toContain('**IRSA (ACK controllers only).**');
    expect(flat(guide)).toContain('IRSA for them needs that source changed to `IRSA` in `charts/gitops.ts`');
    for (const passage of [...passagesWith(readme, 'IRSA'), ...passagesWith(guide, 'IRSA')]) {
      expect([passage, /ACK/.test(passage)]).toEqual([passage, true]);
    }
  });

  it('says the namespace carries the annotations it is rendered with, and not the cross-account one', () => {
    const annotations = findObject(gitops, 'Namespace').metadata.annotations ?? {};
    expect(Object.keys(annotations)).toContain('services.k8s.aws/default-region');
    expect(Object.keys(annotations)).not.toContain('services.k8s.aws/owner-account-id');
    for (const text of [flat(guide), flat(readme)]) {
      expect(text).not.toMatch(/carries `services\.k8s\.aws\/owner-account-id`/);
      expect(text).toMatch(/deliberately (?:not|no) `services\.k8s\.aws\/owner-account-id`/);
    }
  });
});
