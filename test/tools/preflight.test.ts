import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildApp } from '../../main';
import { CONFIG_DIR } from '../../charts/lib/config';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { controllerPolicyFiles } from '../../charts/lib/controllerPolicyFiles';
import { renderedObjects } from '../../charts/lib/renderedObjects';
import { createOnlyKind } from '../../charts/lib/createOnlyKind';
import { runPreflight } from '../../scripts/lib/preflight';
import { parsePreflightArgs, PREFLIGHT_USAGE } from '../../scripts/lib/preflightArgs';
import { PreflightUsageError } from '../../scripts/lib/preflightProblem';
import { reshardingProblems } from '../../scripts/lib/reshardingProblems';
import { reshardingSteps } from '../../scripts/lib/reshardingSteps';
import { RenderedFile } from '../../scripts/lib/preflightRendering';
import { committedIamDocuments } from '../../scripts/lib/committedIamDocuments';
import { committedRendering } from '../../scripts/lib/committedRendering';
import { createOnlyProblems } from '../../scripts/lib/createOnlyProblems';
import { currentRendering } from '../../scripts/lib/currentRendering';
import { dataDeletionProblems } from '../../scripts/lib/dataDeletionProblems';
import { deployedRendering } from '../../scripts/lib/deployedRendering';

const projectRoot = join(__dirname, '..', '..');

/** The fields of an environment file the tests edit. */
interface EditableConfig {
  accountId: string;
  alerts: { anomalyEmails: string[]; opsEmails: string[] };
  gitops: { repoURL: string };
}

const PLACEHOLDER_RULE = 'a domain reserved for documentation and tests (RFC 2606, RFC 6761)';

/** A copy of config/<env>.yaml with real-looking values instead of the placeholders, in a temp config dir. */
function cleanConfigDir(environment: string, edit: (document: EditableConfig) => void = () => undefined): string {
  const configDir = join(mkdtempSync(join(tmpdir(), 'preflight-config-')), 'config');
  mkdirSync(configDir);
  const document = parse(readFileSync(join(CONFIG_DIR, `${environment}.yaml`), 'utf8')) as EditableConfig;
  document.accountId = '380914275561';
  document.alerts = { anomalyEmails: ['manutencao@plant-sp.com.br'], opsEmails: ['plataforma@plant-sp.com.br'] };
  document.gitops.repoURL = 'https://git.plant-sp.com.br/plant/telemetry-platform.git';
  edit(document);
  writeFileSync(join(configDir, `${environment}.yaml`), stringify(document));
  return configDir;
}

function rendering(environment: string, configDir: string): RenderedFile[] {
  return currentRendering(buildApp(environment, mkdtempSync(join(tmpdir(), 'preflight-render-')), configDir));
}

/** A deep copy of a rendering with one object changed, as if it had been committed that way before. */
function withObjectChanged(files: readonly RenderedFile[], kind: string, name: string, change: (spec: Record<string, unknown>) => void): RenderedFile[] {
  const copy = JSON.parse(JSON.stringify(files)) as RenderedFile[];
  const target = copy.flatMap((file) => file.objects).find((object) => object.kind === kind && (object.metadata as { name: string }).name === name);
  if (!target) throw new Error(`no ${kind} ${name} rendered`);
  change(target.spec as Record<string, unknown>);
  return copy;
}

function replacementOf(apiVersion: string, kind: string): string {
  const entry = createOnlyKind(apiVersion, kind);
  if (!entry) throw new Error(`${kind} has no create-only fields`);
  return entry.replacement;
}

/**
 * A git repository with `files` committed as manifests/prod/ (and `iamDocuments` below it, relative
 * paths) and the environment file of `configDir` as config/prod.yaml.
 */
function committedRepo(files: readonly RenderedFile[], configDir: string, iamDocuments: Readonly<Record<string, string>> = {}): string {
  const repo = mkdtempSync(join(tmpdir(), 'preflight-repo-'));
  mkdirSync(join(repo, 'manifests', 'prod', 'controller-iam'), { recursive: true });
  mkdirSync(join(repo, 'config'));
  for (const { file, objects } of files) writeFileSync(join(repo, 'manifests', 'prod', file), objects.map((object) => stringify(object)).join('---\n'));
  for (const [file, content] of Object.entries(iamDocuments)) writeFileSync(join(repo, 'manifests', 'prod', file), content);
  writeFileSync(join(repo, 'config', 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'deployed');
  return repo;
}

describe('preflight of the configs as committed', () => {
  test('dev is refused for its documentation account id, example.com addresses and repository URL', () => {
    const report = runPreflight({ environment: 'dev', configDir: CONFIG_DIR, previous: undefined });
    expect(report.lines).toEqual([
      'preflight dev: config/dev.yaml: accountId: "111122223333" is an account id of the AWS documentation; set the 12-digit id of the AWS account of dev',
      `preflight dev: config/dev.yaml: alerts.anomalyEmails[0]: "operations-dev@example.com" is at example.com, ${PLACEHOLDER_RULE}; set an address someone reads (it receives the anomaly alerts)`,
      `preflight dev: config/dev.yaml: alerts.opsEmails[0]: "platform-dev@example.com" is at example.com, ${PLACEHOLDER_RULE}; set an address someone reads (it receives the alarms of the pipeline)`,
      `preflight dev: config/dev.yaml: gitops.repoURL: "https://git.example.com/plant/telemetry-platform.git" is at example.com, ${PLACEHOLDER_RULE}; set the URL Argo CD clones this repository from`,
      'preflight dev: 4 problems',
    ]);
    expect(report.exitCode).toBe(1);
  });

  test('prod is refused for its documentation account id, example.com addresses and repository URL', () => {
    const report = runPreflight({ environment: 'prod', configDir: CONFIG_DIR, previous: undefined });
    expect(report.lines).toEqual([
      'preflight prod: config/prod.yaml: accountId: "444455556666" is an account id of the AWS documentation; set the 12-digit id of the AWS account of prod',
      `preflight prod: config/prod.yaml: alerts.anomalyEmails[0]: "operations@example.com" is at example.com, ${PLACEHOLDER_RULE}; set an address someone reads (it receives the anomaly alerts)`,
      `preflight prod: config/prod.yaml: alerts.anomalyEmails[1]: "maintenance-oncall@example.com" is at example.com, ${PLACEHOLDER_RULE}; set an address someone reads (it receives the anomaly alerts)`,
      `preflight prod: config/prod.yaml: alerts.opsEmails[0]: "platform-oncall@example.com" is at example.com, ${PLACEHOLDER_RULE}; set an address someone reads (it receives the alarms of the pipeline)`,
      `preflight prod: config/prod.yaml: gitops.repoURL: "https://git.example.com/plant/telemetry-platform.git" is at example.com, ${PLACEHOLDER_RULE}; set the URL Argo CD clones this repository from`,
      'preflight prod: 5 problems',
    ]);
    expect(report.exitCode).toBe(1);
  });
});

describe('preflight of edited configs', () => {
  test('a clean config whose rendering matches the deployed one is ready', () => {
    const configDir = cleanConfigDir('prod');
    const report = runPreflight({ environment: 'prod', configDir, previous: rendering('prod', configDir) });
    expect(report).toEqual({ lines: ['preflight prod: ready'], exitCode: 0 });
  });

  test('an empty e-mail list is refused as missing recipients, not as a config error', () => {
    const configDir = cleanConfigDir('dev', (document) => {
      document.alerts.opsEmails = [];
    });
    const report = runPreflight({ environment: 'dev', configDir, previous: undefined });
    expect(report.lines).toEqual([
      'preflight dev: config/dev.yaml: alerts.opsEmails: no recipient: the alarms of the pipeline would reach nobody; add at least one address someone reads',
      'preflight dev: 1 problem',
    ]);
    expect(report.exitCode).toBe(1);
  });

  test('other reserved domains and repeated-digit account ids are placeholders too', () => {
    const configDir = cleanConfigDir('dev', (document) => {
      document.accountId = '000000000000';
      document.alerts.anomalyEmails = ['oncall@plant.test', 'ok@plant-sp.com.br'];
      document.gitops.repoURL = 'git@git.example.org:plant/telemetry-platform.git';
    });
    const report = runPreflight({ environment: 'dev', configDir, previous: undefined });
    expect(report.lines).toEqual([
      'preflight dev: config/dev.yaml: accountId: "000000000000" is an account id of the AWS documentation; set the 12-digit id of the AWS account of dev',
      `preflight dev: config/dev.yaml: alerts.anomalyEmails[0]: "oncall@plant.test" is at .test, ${PLACEHOLDER_RULE}; set an address someone reads (it receives the anomaly alerts)`,
      `preflight dev: config/dev.yaml: gitops.repoURL: "git@git.example.org:plant/telemetry-platform.git" is at example.org, ${PLACEHOLDER_RULE}; set the URL Argo CD clones this repository from`,
      'preflight dev: 3 problems',
    ]);
  });
});

describe('preflight against the deployed rendering', () => {
  test('a changed startingPosition of an event source mapping, read from the manifests committed at the base, is flagged with its replacement', () => {
    const configDir = cleanConfigDir('prod');
    const now = rendering('prod', configDir);
    const before = withObjectChanged(now, 'EventSourceMapping', 'esm-processor-prod', (spec) => {
      spec.startingPosition = 'LATEST';
    });
    const repo = committedRepo(before, configDir);

    const report = runPreflight({ environment: 'prod', configDir, previous: committedRendering(repo, 'HEAD', 'prod') });

    expect(report.lines).toEqual([
      'preflight prod: processing.k8s.yaml EventSourceMapping telemetry-prod/esm-processor-prod: /spec/startingPosition: create-only field changed "LATEST" → "TRIM_HORIZON"; ' +
        `AWS cannot change it in place; ${replacementOf('lambda.services.k8s.aws/v1alpha1', 'EventSourceMapping')}`,
      'preflight prod: 1 problem',
    ]);
    expect(report.exitCode).toBe(1);
  });

  test('manifests committed with a documentation account id were never deployed: replacing the placeholders is no create-only change', () => {
    const committed = rendering('prod', CONFIG_DIR);
    const repo = committedRepo(committed, CONFIG_DIR);
    expect(deployedRendering(repo, 'HEAD', 'prod')).toBeUndefined();

    const report = runPreflight({ environment: 'prod', configDir: cleanConfigDir('prod'), previous: deployedRendering(repo, 'HEAD', 'prod') });
    expect(report.lines).toEqual(['preflight prod: ready']);
    // The same manifests under a real account id count as deployed, and the new account id shows as a create-only change.
    expect(runPreflight({ environment: 'prod', configDir: cleanConfigDir('prod'), previous: committed }).exitCode).toBe(1);
  });

  test('a changed keySpec of the KMS key is flagged with the re-encryption procedure', () => {
    const configDir = cleanConfigDir('prod');
    const now = rendering('prod', configDir);
    const before = withObjectChanged(now, 'Key', 'kms-telemetry-prod', (spec) => {
      spec.keySpec = 'RSA_2048';
    });
    const report = runPreflight({ environment: 'prod', configDir, previous: before });
    expect(report.lines).toEqual([
      'preflight prod: security.k8s.yaml Key telemetry-prod/kms-telemetry-prod: /spec/keySpec: create-only field changed "RSA_2048" → "SYMMETRIC_DEFAULT"; ' +
        `AWS cannot change it in place; ${replacementOf('kms.services.k8s.aws/v1alpha1', 'Key')}`,
      'preflight prod: 1 problem',
    ]);
  });

  test('a removed table is flagged as a deletion of data; a retained one is not', () => {
    const configDir = cleanConfigDir('prod');
    const now = rendering('prod', configDir);
    const before = JSON.parse(JSON.stringify(now)) as RenderedFile[];
    const storage = before.find((file) => file.file === 'storage.k8s.yaml');
    const table = storage?.objects.find((object) => object.kind === 'Table') as { metadata: { name: string; annotations: Record<string, string> } } | undefined;
    if (!storage || !table) throw new Error('no table rendered');
    const legacy = { ...table, metadata: { ...table.metadata, name: 'dynamodb-legacy-prod' } };
    const retained = { ...table, metadata: { name: 'dynamodb-kept-prod', annotations: { ...table.metadata.annotations, 'services.k8s.aws/deletion-policy': 'retain' } } };
    (storage.objects as unknown[]).push(legacy, retained);

    const report = runPreflight({ environment: 'prod', configDir, previous: before });

    expect(report.lines).toEqual([
      'preflight prod: storage.k8s.yaml Table telemetry-prod/dynamodb-legacy-prod: (object): removed, so Argo CD prunes it and the controller deletes the table with every item; ' +
        'export the items first (DynamoDB export to S3) or keep the object until nobody needs them',
      'preflight prod: 1 problem',
    ]);
  });
});

describe('preflight of a removed log group', () => {
  test('is flagged as a deletion of its events; a retained one is not', () => {
    const now = rendering('prod', cleanConfigDir('prod'));
    const before = JSON.parse(JSON.stringify(now)) as RenderedFile[];
    const processing = before.find((file) => file.objects.some((object) => object.kind === 'LogGroup'));
    const group = processing?.objects.find((object) => object.kind === 'LogGroup') as { metadata: { name: string; annotations: Record<string, string> } } | undefined;
    if (!processing || !group) throw new Error('no log group rendered');
    const legacy = { ...group, metadata: { ...group.metadata, name: 'logs-legacy-prod' } };
    const retained = { ...group, metadata: { ...group.metadata, name: 'logs-kept-prod', annotations: { ...group.metadata.annotations, 'services.k8s.aws/deletion-policy': 'retain' } } };
    (processing.objects as unknown[]).push(legacy, retained);

    expect(dataDeletionProblems(before, now)).toEqual([
      {
        subject: `${processing.file} LogGroup telemetry-prod/logs-legacy-prod`,
        field: '(object)',
        wrong: 'removed, so Argo CD prunes it and the controller deletes the log group with every event in it',
        todo: 'export the events first (aws logs create-export-task to S3) if anyone needs them, or keep the object',
      },
    ]);
  });
});

describe('preflight of a function architecture change', () => {
  test('without new code is flagged with the update to make by hand; with new code it is ready', () => {
    const configDir = cleanConfigDir('prod');
    const now = rendering('prod', configDir);
    const x86 = withObjectChanged(now, 'Function', 'lambda-processor-prod', (spec) => {
      spec.architectures = ['x86_64'];
    });
    expect(runPreflight({ environment: 'prod', configDir, previous: x86 }).lines).toEqual([
      'preflight prod: processing.k8s.yaml Function telemetry-prod/lambda-processor-prod: /spec/architectures: ["x86_64"] → ["arm64"] with the same code; ' +
        "the controller changes the architecture through UpdateFunctionCode and re-sends only S3 code, never the inline zip, so the call carries no code and fails on every reconcile; " +
        'update it by hand first: aws lambda update-function-code --function-name lambda-processor-prod --architectures arm64 --zip-file fileb://<the bundle of spec.code.zipFile, base64-decoded>; then sync',
      'preflight prod: 1 problem',
    ]);
    const x86OldCode = withObjectChanged(x86, 'Function', 'lambda-processor-prod', (spec) => {
      (spec.code as { sha256: string }).sha256 = 'b2xkIGNvZGU=';
    });
    expect(runPreflight({ environment: 'prod', configDir, previous: x86OldCode }).lines).toEqual(['preflight prod: ready']);
  });
});

describe('preflight across a version bump of a CRD', () => {
  test('pairs objects by API group, kind, namespace and name: the tables moved to v1 are no deletion, and their create-only changes still show', () => {
    const before = rendering('prod', cleanConfigDir('prod'));
    // The DynamoDB controller's CRDs served at v1, and the readings table's key schema reversed in the same change.
    const after = (JSON.parse(JSON.stringify(before)) as RenderedFile[]).map(({ file, objects }) => ({
      file,
      objects: objects.map((object) => {
        if (object.kind !== 'Table') return object;
        const spec = object.spec as { tableName?: string; keySchema: unknown[] };
        const name = (object.metadata as { name: string }).name;
        return { ...object, apiVersion: 'dynamodb.services.k8s.aws/v1', spec: name.includes('readings') ? { ...spec, keySchema: [...spec.keySchema].reverse() } : spec };
      }),
    }));
    const tables = before.flatMap(({ objects }) => objects).filter((object) => object.kind === 'Table');
    expect(tables.length).toBeGreaterThan(1);
    expect(tables.every((object) => object.apiVersion === 'dynamodb.services.k8s.aws/v1alpha1')).toBe(true);

    expect(dataDeletionProblems(before, after)).toEqual([]);
    const problems = createOnlyProblems(before, after);
    expect(problems.map(({ subject, field }) => `${subject} ${field}`)).toEqual(['storage.k8s.yaml Table telemetry-prod/dynamodb-readings-prod /spec/keySchema']);
  });
});

describe('preflight of a stream resharding', () => {
  /** prod's rendering as if the stream had had `shardCount` shards before. */
  function deployedWithShards(configDir: string, shardCount: number): RenderedFile[] {
    return withObjectChanged(rendering('prod', configDir), 'Stream', 'kinesis-telemetry-prod', (spec) => {
      (spec.forProvider as { shardCount: number }).shardCount = shardCount;
    });
  }

  test('a jump Kinesis takes in one call (at most double, at least half) is ready', () => {
    const configDir = cleanConfigDir('prod');
    const shards = (rendering('prod', configDir).flatMap((file) => file.objects).find((object) => object.kind === 'Stream')?.spec as { forProvider: { shardCount: number } }).forProvider.shardCount;
    expect(shards).toBe(5);
    for (const before of [3, 5, 9, 10]) {
      expect(runPreflight({ environment: 'prod', configDir, previous: deployedWithShards(configDir, before) }).lines).toEqual(['preflight prod: ready']);
    }
  });

  test.each([
    [2, '4, 5'],
    [1, '2, 4, 5'],
    [11, '6, 5'],
    [40, '20, 10, 5'],
  ])('from %i shards to 5 is flagged with the UpdateShardCount calls to make by hand (%s)', (before, steps) => {
    const configDir = cleanConfigDir('prod');
    const report = runPreflight({ environment: 'prod', configDir, previous: deployedWithShards(configDir, before) });
    expect(report.lines).toEqual([
      `preflight prod: stream.k8s.yaml Stream telemetry-prod/kinesis-telemetry-prod: /spec/forProvider/shardCount: ${before} → 5 shards in one sync; ` +
        'Kinesis reshards to at most twice and at least half the open shards per call, so the update would fail on every reconcile; ' +
        'reshard by hand first, waiting for ACTIVE after each call: aws kinesis update-shard-count --stream-name kinesis-telemetry-prod ' +
        `--scaling-type UNIFORM_SCALING --target-shard-count N for N = ${steps}; then sync (the provider finds the count it wants)`,
      'preflight prod: 1 problem',
    ]);
    expect(report.exitCode).toBe(1);
  });

  test('counts the days when the steps exceed 10 reshards a day', () => {
    expect(reshardingSteps(1, 5000)).toHaveLength(13);
    expect(reshardingSteps(10, 10)).toEqual([]);
    const previous: RenderedFile[] = [{ file: 'stream.k8s.yaml', objects: [streamObject(1)] }];
    const [problem] = reshardingProblems(previous, [{ file: 'stream.k8s.yaml', objects: [streamObject(5000)] }]);
    expect(problem?.todo).toContain(', over 2 days (at most 10 a day): ');
  });
});

/** A rendered Stream with only the fields the resharding check reads. */
function streamObject(shardCount: number): Record<string, unknown> {
  return { apiVersion: 'kinesis.aws.m.upbound.io/v1beta1', kind: 'Stream', metadata: { name: 'kinesis-telemetry-prod', namespace: 'telemetry-prod' }, spec: { forProvider: { shardCount } } };
}

describe('preflight of the IAM documents applied by hand', () => {
  /** The controller-iam/ files of the prod rendering with the config of `configDir`. */
  function iamDocuments(configDir: string): Record<string, string> {
    const app = buildApp('prod', mkdtempSync(join(tmpdir(), 'preflight-iam-')), configDir);
    return controllerPolicyFiles(loadEnvironmentConfig('prod', configDir), renderedObjects(app));
  }

  test('a boundary or controller policy that differs from the committed one is a step before the sync, not a problem', () => {
    const configDir = cleanConfigDir('prod');
    const now = iamDocuments(configDir);
    const boundary = JSON.parse(now['controller-iam/iam-role-boundary.json'] ?? '{}') as { Statement: { Action: string[] }[] };
    boundary.Statement[0]?.Action.pop();
    const { ['controller-iam/ack-sqs-controller.json']: _sqs, ...withoutSqs } = now;
    const before = { ...withoutSqs, 'controller-iam/iam-role-boundary.json': JSON.stringify(boundary), 'controller-iam/ack-retired-controller.json': '{}' };
    const repo = committedRepo(rendering('prod', configDir), configDir, before);

    const report = runPreflight({ environment: 'prod', configDir, previous: deployedRendering(repo, 'HEAD', 'prod'), previousIamDocuments: committedIamDocuments(repo, 'HEAD', 'prod') });

    expect(report.lines).toEqual([
      'preflight prod: before syncing: manifests/prod/controller-iam/ack-retired-controller.json: no longer rendered; remove it from the account after the sync',
      "preflight prod: before syncing: manifests/prod/controller-iam/ack-sqs-controller.json: new; put it as the controller role's policy before the sync",
      'preflight prod: before syncing: manifests/prod/controller-iam/iam-role-boundary.json: changed; publish it as the default version of the managed policy iam-role-boundary-<suffix> before the sync',
      'preflight prod: ready (once 3 IAM documents are applied by hand, above)',
    ]);
    expect(report.exitCode).toBe(0);
  });

  test('the same documents as committed need no step', () => {
    const configDir = cleanConfigDir('prod');
    const repo = committedRepo(rendering('prod', configDir), configDir, iamDocuments(configDir));
    const report = runPreflight({ environment: 'prod', configDir, previous: deployedRendering(repo, 'HEAD', 'prod'), previousIamDocuments: committedIamDocuments(repo, 'HEAD', 'prod') });
    expect(report).toEqual({ lines: ['preflight prod: ready'], exitCode: 0 });
  });
});

describe('preflight command line', () => {
  test.each([
    [['--env'], `preflight: --env: missing value; ${PREFLIGHT_USAGE}`],
    [['--env', '--base', 'HEAD'], `preflight: --env: missing value; ${PREFLIGHT_USAGE}`],
    [['--env', 'prod', '--force'], `preflight: --force: unknown flag; ${PREFLIGHT_USAGE}`],
    [['--env', 'prod', '--force=yes'], `preflight: --force: unknown flag (value "yes"); ${PREFLIGHT_USAGE}`],
    [['prod'], `preflight: "prod": unexpected argument; ${PREFLIGHT_USAGE}`],
    [[], `preflight: --env: missing; ${PREFLIGHT_USAGE}`],
  ])('%j is refused in one line naming the flag', (argv, message) => {
    expect(() => parsePreflightArgs(argv)).toThrow(new PreflightUsageError(message));
  });

  test('without --base the base is left to the merge base with main', () => {
    expect(parsePreflightArgs(['--env', 'dev'])).toEqual({ environment: 'dev' });
  });

  test.each([
    [['--env', 'prod', '--force'], `preflight: --force: unknown flag; ${PREFLIGHT_USAGE}\n`],
    [['--env', 'qa'], 'preflight: --env: value "qa" is not an environment; known environments are dev, prod\n'],
    [
      ['--env', 'prod', '--base', 'no-such-ref'],
      `preflight: --base: value "no-such-ref" is not a commit of this repository; give a branch, tag or commit (default: the merge base of HEAD with main); ${PREFLIGHT_USAGE}\n`,
    ],
    [
      ['--env', 'prod', '--config-dir', '/nonexistent-config'],
      `preflight: --config-dir: /nonexistent-config: no such folder; the configuration is one <environment>.yaml file per environment; ${PREFLIGHT_USAGE}\n`,
    ],
  ])('npm run preflight -- %j exits 2 with one line', (argv, stderr) => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'preflight.ts'), ...argv], { encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 2, stdout: '', stderr });
  });
});
