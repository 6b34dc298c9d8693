import { diffEnvironment } from '../../scripts/lib/diffEnvironment';
import { hasChanges } from '../../scripts/lib/hasChanges';
import { formatReport, MAX_LINE_CHARS } from '../../scripts/lib/manifestDiffReport';
import { renderEnvironment } from '../../scripts/lib/renderEnvironment';
import type { CodeChange, DashboardChange, EnvironmentDiff, ManifestObject, PolicyChange, ReplacementChange } from '../../scripts/lib/manifestDiffTypes';
import { MAX_VALUE_CHARS, type Json, type JsonObject } from '../../scripts/lib/manifestDiffValues';
import { parseJsonDocument } from '../../scripts/lib/parseJsonDocument';

const BASE = 'main (0123456789ab)';

/** The working tree's dev rendering, rendered once: every test mutates a deep copy of it. */
let rendered: readonly ManifestObject[];
beforeAll(() => {
  rendered = renderEnvironment('dev');
});

type Mutable = Record<string, any>;

function nameOf(entry: ManifestObject): string {
  return String((entry.object.metadata as JsonObject).name);
}

/** A deep copy of the rendering with `change` applied to the object of that kind and name. */
function mutated(kind: string, name: string, change: (object: Mutable) => void, from: readonly ManifestObject[] = rendered): ManifestObject[] {
  const copy = structuredClone(from) as ManifestObject[];
  const target = copy.find((entry) => entry.object.kind === kind && nameOf(entry) === name);
  if (target === undefined) throw new Error(`no ${kind} ${name} in the dev rendering`);
  change(target.object as Mutable);
  return copy;
}

const diffOf = (after: readonly ManifestObject[], before: readonly ManifestObject[] = rendered): EnvironmentDiff => diffEnvironment('dev', before, after);

function onlyChange<T>(diff: EnvironmentDiff, type: string): T {
  expect(diff.changed).toHaveLength(1);
  const matching = diff.changed[0].changes.filter((change) => change.type === type);
  expect(matching).toHaveLength(1);
  return matching[0] as T;
}

/** Rewrites a policy held as a string: parse, change, and render it back compact (as the charts do). */
function editPolicy(text: string, edit: (document: Mutable) => void): string {
  const document = JSON.parse(text) as Mutable;
  edit(document);
  return JSON.stringify(document);
}

const reportLines = (diff: EnvironmentDiff, format: 'markdown' | 'text' = 'markdown'): string[] => formatReport([diff], format, BASE).trimEnd().split('\n');

describe('diffEnvironment', () => {
  it('finds no change between a rendering and a copy of it', () => {
    const diff = diffOf(structuredClone(rendered) as ManifestObject[]);
    expect(hasChanges(diff)).toBe(false);
    expect(reportLines(diff, 'text')).toEqual([`Rendered manifests of the working tree compared with ${BASE}`, '', 'dev: 0 changed, 0 added, 0 removed']);
  });

  it('shows a statement added to an inline policy by its Sid, effect, actions and resources', () => {
    const after = mutated('Role', 'iam-processor-dev', (role) => {
      role.spec.inlinePolicies.processor = editPolicy(role.spec.inlinePolicies.processor, (policy) => {
        policy.Statement.push({ Sid: 'ReadArchive', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::s3-archive-111122223333-dev/raw/*'] });
      });
    });
    const diff = diffOf(after);
    const policy = onlyChange<PolicyChange>(diff, 'policy');
    expect(policy.path).toBe('spec.inlinePolicies.processor');
    expect(policy.added).toEqual([{ label: 'ReadArchive', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::s3-archive-111122223333-dev/raw/*'] }]);
    expect(policy.removed).toEqual([]);
    expect(policy.changed).toEqual([]);
    expect(reportLines(diff).slice(2)).toEqual([
      '## dev: 1 changed, 0 added, 0 removed',
      '',
      '- **changed** `Role iam-processor-dev` (processing.k8s.yaml)',
      '  - `spec.inlinePolicies.processor`: policy, 1 statement added',
      '    - + statement `ReadArchive`: Allow `s3:GetObject` on `arn:aws:s3:::s3-archive-111122223333-dev/raw/*`',
    ]);
  });

  it("shows a statement's changed actions as values added and removed, never the whole document", () => {
    const after = mutated('Role', 'iam-processor-dev', (role) => {
      role.spec.inlinePolicies.processor = editPolicy(role.spec.inlinePolicies.processor, (policy) => {
        const statement = policy.Statement.find((entry: Mutable) => entry.Sid === 'UpdateAssetStatus');
        statement.Action = ['dynamodb:PutItem'];
        statement.Effect = 'Deny';
      });
    });
    const diff = diffOf(after);
    const policy = onlyChange<PolicyChange>(diff, 'policy');
    expect(policy.changed).toEqual([
      {
        label: 'UpdateAssetStatus',
        fields: [
          { field: 'Effect', kind: 'scalar', before: 'Allow', after: 'Deny' },
          { field: 'Action', kind: 'values', added: ['dynamodb:PutItem'], removed: ['dynamodb:UpdateItem'] },
        ],
      },
    ]);
    expect(reportLines(diff, 'text').slice(3)).toEqual([
      '  changed Role iam-processor-dev (processing.k8s.yaml)',
      '    spec.inlinePolicies.processor: policy, 1 statement changed',
      '      statement UpdateAssetStatus',
      '        Effect: "Allow" → "Deny"',
      '        Action: + dynamodb:PutItem, - dynamodb:UpdateItem',
    ]);
  });

  it('pairs statements without a Sid by position and flattens principals and conditions', () => {
    const after = mutated('Role', 'iam-processor-dev', (role) => {
      role.spec.assumeRolePolicyDocument = editPolicy(role.spec.assumeRolePolicyDocument, (policy) => {
        policy.Statement[0].Principal = { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] };
        policy.Statement[0].Condition.StringEquals['aws:SourceAccount'] = '999999999999';
      });
    });
    const policy = onlyChange<PolicyChange>(diffOf(after), 'policy');
    expect(policy.path).toBe('spec.assumeRolePolicyDocument');
    expect(policy.changed).toEqual([
      {
        label: '#1',
        fields: [
          { field: 'Principal', kind: 'values', added: ['Service edgelambda.amazonaws.com'], removed: [] },
          { field: 'Condition', kind: 'values', added: ['StringEquals aws:SourceAccount 999999999999'], removed: ['StringEquals aws:SourceAccount 111122223333'] },
        ],
      },
    ]);
  });

  it('finds no change when policies and the dashboard are only re-indented or their lists reordered', () => {
    const reformat = (value: Json): Json => {
      // Only JSON documents (a policy, the dashboard body): a string such as a brace glob starts with { too.
      const document = typeof value === 'string' ? (parseJsonDocument(value) as Mutable | undefined) : undefined;
      if (typeof value === 'string' && document !== undefined && ('Statement' in document || 'widgets' in document)) {
        for (const statement of Array.isArray(document.Statement) ? document.Statement : []) if (Array.isArray(statement.Action)) statement.Action.reverse();
        // Compact becomes indented and indented compact, whichever the charts render now.
        return value.includes('\n') ? JSON.stringify(document) : JSON.stringify(document, null, 2);
      }
      if (Array.isArray(value)) return value.map(reformat);
      if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, reformat(entry)]));
      return value;
    };
    const after = rendered.map(({ file, object }) => ({ file, object: reformat(object) as JsonObject }));
    const reindented = after.filter((entry, index) => JSON.stringify(entry.object) !== JSON.stringify(rendered[index].object));
    expect(reindented.length).toBeGreaterThan(10);
    expect(hasChanges(diffOf(after))).toBe(false);
  });

  it('compares the dashboard widget by widget: changed, moved, added and removed', () => {
    const after = mutated('Dashboard', 'cw-telemetry-dev', (dashboard) => {
      const body = JSON.parse(dashboard.spec.dashboardBody) as Mutable;
      const widget = (title: string): Mutable => body.widgets.find((entry: Mutable) => entry.properties.title === title);
      widget('Lambda duration (ms)').properties.period = 300;
      widget('Dead-letter queue').x = 0;
      widget('Dead-letter queue').y = 54;
      body.widgets = body.widgets.filter((entry: Mutable) => entry.properties.title !== 'Lambda concurrency and processor shard handoffs');
      body.widgets.push({ type: 'metric', x: 12, y: 54, width: 12, height: 6, properties: { title: 'Redrives', metrics: [], region: 'sa-east-1' } });
      dashboard.spec.dashboardBody = JSON.stringify(body);
    });
    const diff = diffOf(after);
    const dashboard = onlyChange<DashboardChange>(diff, 'dashboard');
    expect(dashboard.added).toEqual([{ title: 'Redrives', place: { x: 12, y: 54, width: 12, height: 6 } }]);
    expect(dashboard.removed).toEqual(['Lambda concurrency and processor shard handoffs']);
    expect(dashboard.changed.map(({ title, moved, fields }) => ({ title, moved: moved !== undefined, fields }))).toEqual([
      { title: 'Lambda duration (ms)', moved: false, fields: [{ type: 'field', path: 'properties.period', before: 60, after: 300 }] },
      { title: 'Dead-letter queue', moved: true, fields: [] },
    ]);
    expect(reportLines(diff).slice(4)).toEqual([
      '- **changed** `Dashboard cw-telemetry-dev` (observability.k8s.yaml)',
      '  - `spec.dashboardBody`: dashboard, 1 widget changed, 1 moved, 1 added, 1 removed',
      '    - + widget `Redrives` at (12,54) 12×6',
      '    - - widget `Lambda concurrency and processor shard handoffs`',
      '    - widget `Lambda duration (ms)` `properties.period`: `60` → `300`',
      '    - widget `Dead-letter queue` moved (12,30) 12×6 → (0,54) 12×6',
    ]);
  });

  describe('function code', () => {
    const SOURCES = 'telemetry.plant/bundle-sources';
    const INPUTS = 'telemetry.plant/bundle-inputs-sha256';

    function codeChanged(edit: (lines: string[]) => string[]): ManifestObject[] {
      return mutated('Function', 'lambda-processor-dev', (fn) => {
        fn.metadata.annotations[SOURCES] = edit(fn.metadata.annotations[SOURCES].split('\n')).join('\n');
        fn.metadata.annotations[INPUTS] = 'f'.repeat(64);
        fn.spec.code.sha256 = 'bmV3IHppcA==';
        fn.spec.code.zipFile = Buffer.from('another zip').toString('base64');
      });
    }

    it('names the changed, added and removed sources and packages, never the base64 zip', () => {
      const after = codeChanged((lines) => [
        ...lines
          .filter((entry) => !entry.endsWith(' functions/shared/sleep.ts'))
          .map((entry) => (entry.endsWith(' functions/processor/index.ts') ? `000000000000 functions/processor/index.ts` : entry))
          .map((entry) => (entry === '@aws-lambda-powertools/logger@2.36.0' ? '@aws-lambda-powertools/logger@2.37.0' : entry)),
        '111111111111 functions/shared/x.ts',
      ]);
      const diff = diffOf(after);
      const code = onlyChange<CodeChange>(diff, 'code');
      expect(code).toEqual({
        type: 'code',
        bundleChanged: true,
        sources: {
          changed: ['functions/processor/index.ts'],
          added: ['functions/shared/x.ts'],
          removed: ['functions/shared/sleep.ts'],
          packages: [{ name: '@aws-lambda-powertools/logger', before: '2.36.0', after: '2.37.0' }],
        },
      });
      expect(diff.changed[0].changes).toHaveLength(1);
      expect(reportLines(diff).slice(4)).toEqual([
        '- **changed** `Function lambda-processor-dev` (processing.k8s.yaml)',
        '  - code: `functions/processor/index.ts` changed; `functions/shared/x.ts` added; `functions/shared/sleep.ts` removed; `@aws-lambda-powertools/logger@2.36.0` → `@aws-lambda-powertools/logger@2.37.0`',
      ]);
    });

    it('says when the base rendering has no source list', () => {
      const before = mutated('Function', 'lambda-processor-dev', (fn) => {
        delete fn.metadata.annotations[SOURCES];
        delete fn.metadata.annotations[INPUTS];
      });
      const diff = diffOf(codeChanged((lines) => lines), before);
      expect(reportLines(diff, 'text').slice(4)).toEqual(['    code changed (no source list in the base rendering)']);
    });

    it('says when only the sources changed and the bundle stayed the same', () => {
      const after = mutated('Function', 'lambda-processor-dev', (fn) => {
        fn.metadata.annotations[SOURCES] = fn.metadata.annotations[SOURCES].replace(/^\w{12} functions\/processor\/index\.ts$/m, '000000000000 functions/processor/index.ts');
      });
      expect(reportLines(diffOf(after), 'text').slice(4)).toEqual(['    code (sources changed, bundle unchanged): functions/processor/index.ts changed']);
    });
  });

  it('flags a changed create-only field as a replacement with what it takes, not as a field change', () => {
    const after = mutated('EventSourceMapping', 'esm-processor-dev', (mapping) => {
      mapping.spec.startingPosition = 'LATEST';
    });
    const diff = diffOf(after);
    const replacement = onlyChange<ReplacementChange>(diff, 'replacement');
    expect(replacement).toMatchObject({ path: 'spec.startingPosition', before: 'TRIM_HORIZON', after: 'LATEST' });
    expect(diff.changed[0].changes).toHaveLength(1);
    const lines = reportLines(diff);
    expect(lines.slice(4, 7)).toEqual([
      '- **changed** `EventSourceMapping esm-processor-dev` (processing.k8s.yaml)',
      '  - **REPLACEMENT** `spec.startingPosition`: `"TRIM_HORIZON"` → `"LATEST"` (create-only); to apply:',
      '    - give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy',
    ]);
    expect(replacement.replacement.split('; ').map((clause) => `    - ${clause}`)).toEqual(lines.slice(6));
  });

  it('lists an object removed and one added, pairing by group, kind, namespace and name across versions', () => {
    const after = mutated('Queue', 'sqs-stream-dlq-dev', (queue) => {
      queue.metadata.name = 'sqs-redrive-dlq-dev';
    }).map((entry) => (entry.object.kind === 'Alias' ? { ...entry, object: { ...entry.object, apiVersion: 'kms.services.k8s.aws/v1beta1' } } : entry));
    const diff = diffOf(after);
    expect(diff.added).toEqual([{ label: 'Queue sqs-redrive-dlq-dev', file: 'stream.k8s.yaml' }]);
    expect(diff.removed).toEqual([
      {
        label: 'Queue sqs-stream-dlq-dev',
        file: 'stream.k8s.yaml',
        loses: 'the controller deletes the queue with the messages in it',
        todo: 'drain it first (npm run redrive) or keep the object',
      },
    ]);
    expect(diff.changed.map(({ label, changes }) => ({ label, changes }))).toEqual([
      { label: 'Alias alias-kms-telemetry-dev', changes: [{ type: 'field', path: 'apiVersion', before: 'kms.services.k8s.aws/v1alpha1', after: 'kms.services.k8s.aws/v1beta1' }] },
    ]);
    expect(reportLines(diff, 'text').slice(2)).toEqual([
      'dev: 1 changed, 1 added, 1 removed',
      '  changed Alias alias-kms-telemetry-dev (security.k8s.yaml)',
      '    apiVersion: "kms.services.k8s.aws/v1alpha1" → "kms.services.k8s.aws/v1beta1"',
      '  added Queue sqs-redrive-dlq-dev (stream.k8s.yaml)',
      '  removed Queue sqs-stream-dlq-dev (stream.k8s.yaml): DATA LOSS: Argo CD prunes it and the controller deletes the queue with the messages in it; drain it first (npm run redrive) or keep the object',
    ]);
  });

  it('names no loss for a removed object that holds no data, nor for a data object the controller retains', () => {
    const retained = mutated('Queue', 'sqs-stream-dlq-dev', (queue) => {
      queue.metadata.annotations = { ...queue.metadata.annotations, 'services.k8s.aws/deletion-policy': 'retain' };
    });
    const after = rendered.filter((entry) => !['sqs-stream-dlq-dev', 'alias-kms-telemetry-dev'].includes(nameOf(entry)));
    expect(diffOf(after, retained).removed).toEqual([
      { label: 'Alias alias-kms-telemetry-dev', file: 'security.k8s.yaml' },
      { label: 'Queue sqs-stream-dlq-dev', file: 'stream.k8s.yaml' },
    ]);
  });

  it('names the API group where two groups share a kind, and lists objects changed alike once', () => {
    // Labels, not tags: an alarm's tags are create-only (a change would be a replacement).
    const retagged = (structuredClone(rendered) as ManifestObject[]).map((entry) => {
      const metadata = entry.object.metadata as Mutable | undefined;
      if (entry.object.kind === 'MetricAlarm' && metadata) metadata.labels = { ...(metadata.labels as Mutable), 'telemetry.plant/tier': 'gold' };
      return entry;
    });
    const after = mutated('Policy', 'iot-device-dev', (policy) => {
      policy.spec.forProvider.region = 'sa-east-1';
      policy.metadata.labels['telemetry.plant/review'] = 'yes';
    }, retagged);
    const lines = reportLines(diffOf(after));
    expect(lines).toContain('- **changed** `Policy.iot.aws.m.upbound.io iot-device-dev` (ingestion.k8s.yaml)');
    expect(lines).toContain('  - `metadata.labels["telemetry.plant/review"]`: (none) → `"yes"`');
    const alarms = rendered.filter((entry) => entry.object.kind === 'MetricAlarm').length;
    const grouped = lines.find((entry) => entry.startsWith(`- **changed** alike, ${alarms} objects: \`MetricAlarm cw-processor-iterator-age-dev\`, `));
    expect(grouped).toBeDefined();
    expect(lines[lines.indexOf(grouped as string) + 1]).toBe('  - `metadata.labels["telemetry.plant/tier"]`: (none) → `"gold"`');
  });

  it('keeps every line within the bound, cutting long values with …', () => {
    const long = 'x'.repeat(5_000);
    let after = mutated('Function', 'lambda-processor-dev', (fn) => {
      fn.spec.description = long;
      fn.metadata.annotations['telemetry.plant/bundle-sources'] = Array.from({ length: 400 }, (_, index) => `${'a'.repeat(12)} functions/shared/${long.slice(0, 200)}${index}.ts`).join('\n');
      fn.spec.code.sha256 = 'Y2hhbmdlZA==';
    });
    after = mutated('Role', 'iam-processor-dev', (role) => {
      role.spec.inlinePolicies.processor = editPolicy(role.spec.inlinePolicies.processor, (policy) => {
        policy.Statement[0].Resource = Array.from({ length: 300 }, (_, index) => `arn:aws:dynamodb:sa-east-1:111122223333:table/${long.slice(0, 400)}-${index}`);
        policy.Statement.push({ Sid: long.slice(0, 500), Effect: 'Allow', Action: [long], Resource: [long] });
      });
      role.metadata.annotations[long.slice(0, 300)] = long;
    }, after);
    after = mutated('EventSourceMapping', 'esm-processor-dev', (mapping) => {
      mapping.spec.startingPosition = long;
    }, after);
    const diff = diffOf(after);
    for (const format of ['markdown', 'text'] as const) {
      const lines = reportLines(diff, format);
      expect(lines.length).toBeGreaterThan(100);
      expect(lines.filter((entry) => entry.length > MAX_LINE_CHARS)).toEqual([]);
      expect(lines.some((entry) => entry.includes('…'))).toBe(true);
    }
  });

  it('shows a long value changed late in it around its first difference, with the position, on both sides', () => {
    const after = mutated('TopicRule', 'iot-telemetry-dev', (rule) => {
      rule.spec.forProvider.sql = `${rule.spec.forProvider.sql} WHERE 1 = 0`;
    });
    const sql = String(((rendered.find((entry) => nameOf(entry) === 'iot-telemetry-dev')?.object.spec as Mutable).forProvider as Mutable).sql);
    expect(sql.length).toBeGreaterThan(MAX_VALUE_CHARS);
    const lines = reportLines(diffOf(after), 'text');
    expect(lines.slice(2)).toEqual([
      'dev: 1 changed, 0 added, 0 removed',
      '  changed TopicRule iot-telemetry-dev (ingestion.k8s.yaml)',
      `    spec.forProvider.sql: first difference at character ${sql.length + 1}: …${sql.slice(-30)} → …${sql.slice(-30)} WHERE 1 = 0`,
    ]);
  });

  it('groups objects changed alike only when the full values are alike, not their shortened lines', () => {
    const prefix = 'y'.repeat(200);
    const alarms = rendered.filter((entry) => entry.object.kind === 'MetricAlarm').map(nameOf).slice(0, 6);
    expect(alarms).toHaveLength(6);
    const after = (structuredClone(rendered) as ManifestObject[]).map((entry) => {
      const at = alarms.indexOf(nameOf(entry));
      if (entry.object.kind === 'MetricAlarm' && at >= 0) (entry.object.metadata as Mutable).annotations = { ...((entry.object.metadata as Mutable).annotations as Mutable), 'telemetry.plant/note': `${prefix}${at < 3 ? 'A' : 'B'}` };
      return entry;
    });
    const lines = reportLines(diffOf(after), 'text');
    // Both values print cut to the same line; only the full values tell the two sets of three apart.
    expect(lines.filter((entry) => entry.startsWith('  changed alike, '))).toEqual([
      `  changed alike, 3 objects: ${alarms.slice(0, 3).map((name) => `MetricAlarm ${name}`).join(', ')}`,
      `  changed alike, 3 objects: ${alarms.slice(3).map((name) => `MetricAlarm ${name}`).join(', ')}`,
    ]);
  });

  it('writes the same diff as markdown (headings, bullets, code spans) and as plain text', () => {
    const after = mutated('EventSourceMapping', 'esm-processor-dev', (mapping) => {
      mapping.metadata.annotations['telemetry.plant/owner'] = 'ops';
      mapping.spec.batchSize = 100;
      mapping.spec.functionResponseTypes = [];
    });
    const diff = diffOf(after);
    expect(formatReport([diff, diffEnvironment('prod', [], [])], 'markdown', BASE)).toBe(
      [
        'Rendered manifests of the working tree compared with main (0123456789ab)',
        '',
        '## dev: 1 changed, 0 added, 0 removed',
        '',
        '- **changed** `EventSourceMapping esm-processor-dev` (processing.k8s.yaml)',
        '  - `metadata.annotations["telemetry.plant/owner"]`: (none) → `"ops"`',
        '  - `spec.batchSize`: `250` → `100`',
        '  - `spec.functionResponseTypes`: `- ReportBatchItemFailures`',
        '',
        '## prod: 0 changed, 0 added, 0 removed',
        '',
      ].join('\n'),
    );
    expect(formatReport([diff, diffEnvironment('prod', [], [])], 'text', BASE)).toBe(
      [
        'Rendered manifests of the working tree compared with main (0123456789ab)',
        '',
        'dev: 1 changed, 0 added, 0 removed',
        '  changed EventSourceMapping esm-processor-dev (processing.k8s.yaml)',
        '    metadata.annotations["telemetry.plant/owner"]: (none) → "ops"',
        '    spec.batchSize: 250 → 100',
        '    spec.functionResponseTypes: - ReportBatchItemFailures',
        '',
        'prod: 0 changed, 0 added, 0 removed',
        '',
      ].join('\n'),
    );
  });

  it('compares JSON held in other strings field by field', () => {
    const after = mutated('Function', 'lambda-processor-dev', (fn) => {
      const config = JSON.parse(fn.spec.environment.variables.DETECTOR_CONFIG) as Mutable;
      config.warmupSamples = 800;
      fn.spec.environment.variables.DETECTOR_CONFIG = JSON.stringify(config, null, 2);
    });
    expect(reportLines(diffOf(after), 'text').slice(4)).toEqual(['    spec.environment.variables.DETECTOR_CONFIG(json).warmupSamples: 400 → 800']);
  });
});
