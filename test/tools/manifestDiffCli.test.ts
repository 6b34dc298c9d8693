import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLE_ANNOTATIONS } from '../../charts/constructs/BundledFunction';
import { FUNCTIONS_DIR, FunctionBundle } from '../../charts/lib/bundle';
import { bundleFunction } from '../../charts/lib/bundleFunction';
import { bundleInputLines } from '../../charts/lib/bundleInputLines';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { DiffIo, GIT_AND_SYNTH, runDiff } from '../../scripts/diff';
import { diffEnvironment } from '../../scripts/lib/diffEnvironment';
import { DIFF_USAGE } from '../../scripts/lib/manifestDiffArgs';
import { formatReport, MAX_LINE_CHARS } from '../../scripts/lib/manifestDiffReport';
import { committedEnvironments } from '../../scripts/lib/committedEnvironments';
import { renderEnvironmentWithDocuments } from '../../scripts/lib/renderEnvironmentWithDocuments';
import { resolveBase } from '../../scripts/lib/resolveBase';
import type { ManifestObject } from '../../scripts/lib/manifestDiffTypes';
import type { JsonObject } from '../../scripts/lib/manifestDiffValues';

const PROJECT_ROOT = resolve(__dirname, '../..');

let rendered: ManifestObject[];
/** dev's controller IAM documents as synth writes them (controller-iam/<file>.json → content). */
let documents: Readonly<Record<string, string>>;
beforeAll(() => {
  const rendering = renderEnvironmentWithDocuments('dev');
  rendered = [...rendering.objects];
  documents = rendering.documents;
});

type Statement = { Sid: string; Action: string[]; Effect: string; Resource: string[] };

/** A copy of dev's IAM documents with one edited (parsed, changed and written back as synth writes it). */
function withDocument(file: string, edit: (statements: Statement[]) => Statement[]): Record<string, string> {
  const document = JSON.parse(documents[file] ?? 'null') as { Statement: Statement[] } | null;
  if (document === null) throw new Error(`no ${file} in dev's rendering`);
  return { ...documents, [file]: `${JSON.stringify({ ...document, Statement: edit(document.Statement) }, null, 2)}\n` };
}

/** The working tree's and the base's environments, and the IAM documents of each side, when not dev alone without any. */
interface FakeSides {
  readonly current?: readonly string[];
  readonly based?: readonly string[];
  readonly documentsBefore?: Readonly<Record<string, string>>;
  readonly documentsAfter?: Readonly<Record<string, string>>;
}

/** An io over two fixed renderings (of dev by default), collecting what the command writes. */
function fakeIo(before: readonly ManifestObject[], after: readonly ManifestObject[], sides: FakeSides = {}): DiffIo & { readonly output: string[]; readonly errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  return {
    environments: () => sides.current ?? ['dev'],
    baseEnvironments: () => sides.based ?? ['dev'],
    resolveBase: (ref) => ({ commit: 'c0ffee', description: `${ref ?? 'main'} (c0ffee)` }),
    committed: () => ({ objects: structuredClone(before) as ManifestObject[], documents: { ...sides.documentsBefore } }),
    render: (environment) => {
      // The tool must not render an environment whose config is gone: there is nothing to render it from.
      if (!(sides.current ?? ['dev']).includes(environment)) throw new Error(`config/${environment}.yaml: no such file`);
      return { objects: structuredClone(after) as ManifestObject[], documents: { ...sides.documentsAfter } };
    },
    out: (text) => output.push(text),
    err: (line) => errors.push(line),
    output,
    errors,
  };
}

function withBatchSize(batchSize: number): ManifestObject[] {
  const copy = structuredClone(rendered);
  const mapping = copy.find(({ object }) => object.kind === 'EventSourceMapping')?.object as { spec: { batchSize: number } };
  mapping.spec.batchSize = batchSize;
  return copy;
}

describe('runDiff', () => {
  it('exits 0 and prints the summary when nothing changed', () => {
    const io = fakeIo(rendered, rendered);
    expect(runDiff(['--format', 'text'], io)).toBe(0);
    expect(io.output.join('')).toBe('Rendered manifests of the working tree compared with main (c0ffee)\n\ndev: 0 changed, 0 added, 0 removed\n');
    expect(io.errors).toEqual([]);
  });

  it('exits 1 when something changed, like git diff --exit-code', () => {
    const io = fakeIo(rendered, withBatchSize(100));
    expect(runDiff(['--base', 'release-7', '--env', 'dev'], io)).toBe(1);
    expect(io.output.join('').split('\n').slice(0, 3)).toEqual(['Rendered manifests of the working tree compared with release-7 (c0ffee)', '', '## dev: 1 changed, 0 added, 0 removed']);
  });

  it.each([
    [['--format', 'html'], 'diff: --format: "html" is not a format; use markdown or text'],
    [['--bogus'], `diff: --bogus: unknown flag; ${DIFF_USAGE}`],
    [['--depth=3'], `diff: --depth: unknown flag (value "3"); ${DIFF_USAGE}`],
    [['--base'], `diff: --base: missing value; ${DIFF_USAGE}`],
    [['--base', '--env', 'dev'], `diff: --base: missing value; ${DIFF_USAGE}`],
    [['--env='], `diff: --env: missing value; ${DIFF_USAGE}`],
    [['--help=yes'], `diff: --help: unknown flag (value "yes"); ${DIFF_USAGE}`],
    [['main'], `diff: "main": unexpected argument; ${DIFF_USAGE}`],
    [['--env', 'staging'], 'diff: --env: "staging" has no config/staging.yaml and no manifests/staging/ at the base; environments: dev'],
  ])('exits 2 with one line for %j', (argv, message) => {
    const io = fakeIo(rendered, rendered);
    expect(runDiff(argv, io)).toBe(2);
    expect(io.errors).toEqual([message]);
    expect(io.output).toEqual([]);
  });

  it('exits 2 naming a base ref that does not exist', () => {
    const errors: string[] = [];
    const io: DiffIo = { ...GIT_AND_SYNTH, out: () => undefined, err: (line) => errors.push(line) };
    expect(runDiff(['--base', 'no-such-branch-4711'], io)).toBe(2);
    expect(errors).toEqual(['diff: --base: "no-such-branch-4711" is not a commit of this repository']);
  });

  it('prints the usage for --help and exits 0', () => {
    const io = fakeIo(rendered, rendered);
    expect(runDiff(['--help'], io)).toBe(0);
    expect(io.output).toEqual([`${DIFF_USAGE}\n`]);
  });
});

describe('the controller IAM documents (controller-iam/*.json)', () => {
  it('renders them with the objects, as synth writes them, the role boundary among them', () => {
    expect(Object.keys(documents)).toContain('controller-iam/iam-role-boundary.json');
    expect(Object.keys(documents)).toContain('controller-iam/ack-kms-controller.json');
  });

  it('exits 1 and names the statements of a changed document, and documents added and removed', () => {
    const { ['controller-iam/ack-sqs-controller.json']: _sqs, ...withoutSqs } = withDocument('controller-iam/ack-kms-controller.json', (statements) =>
      statements.map((statement) => (statement.Sid === 'ListAliases' ? { ...statement, Action: [...statement.Action, 'kms:ListKeys'] } : statement)),
    );
    const after = {
      ...withoutSqs,
      'controller-iam/ack-retired-controller.json': '{"Statement": []}\n',
      'controller-iam/iam-role-boundary.json': withDocument('controller-iam/iam-role-boundary.json', (statements) => [
        ...statements,
        { Sid: 'AllowEverything', Effect: 'Allow', Action: ['*'], Resource: ['*'] },
      ])['controller-iam/iam-role-boundary.json'],
    };
    const io = fakeIo(rendered, rendered, { documentsBefore: documents, documentsAfter: after });
    expect(runDiff(['--format', 'text'], io)).toBe(1);
    expect(io.output.join('').trimEnd().split('\n').slice(2)).toEqual([
      'dev: 0 changed, 0 added, 0 removed; IAM documents: 2 changed, 1 added, 1 removed',
      '  changed IAM document controller-iam/ack-kms-controller.json: policy, 1 statement changed',
      '    statement ListAliases Action: + kms:ListKeys',
      '  changed IAM document controller-iam/iam-role-boundary.json: policy, 1 statement added',
      '    + statement AllowEverything: Allow * on *',
      '  added IAM document controller-iam/ack-retired-controller.json',
      '  removed IAM document controller-iam/ack-sqs-controller.json',
    ]);
  });

  it('exits 0 when a document is only re-indented or its lists reordered', () => {
    const after = withDocument('controller-iam/ack-kms-controller.json', (statements) => [...statements].reverse().map((statement) => ({ ...statement, Action: [...statement.Action].reverse() })));
    const reformatted = { ...after, 'controller-iam/iam-role-boundary.json': JSON.stringify(JSON.parse(documents['controller-iam/iam-role-boundary.json'] ?? '{}')) };
    const io = fakeIo(rendered, rendered, { documentsBefore: documents, documentsAfter: reformatted });
    expect(runDiff(['--format', 'text'], io)).toBe(0);
    expect(io.output.join('')).toBe('Rendered manifests of the working tree compared with main (c0ffee)\n\ndev: 0 changed, 0 added, 0 removed\n');
  });
});

describe('an environment deleted from config/', () => {
  it('is taken from the base, and every object of it is reported removed (exit 1)', () => {
    const io = fakeIo(rendered, rendered, { current: ['dev'], based: ['dev', 'staging'], documentsBefore: documents, documentsAfter: documents });
    expect(runDiff(['--format', 'text'], io)).toBe(1);
    const lines = io.output.join('').trimEnd().split('\n');
    const documentCount = Object.keys(documents).length;
    expect(lines).toContain('dev: 0 changed, 0 added, 0 removed');
    expect(lines).toContain(`staging: 0 changed, 0 added, ${rendered.length} removed; IAM documents: 0 changed, 0 added, ${documentCount} removed (config/staging.yaml deleted: every object is removed)`);
    expect(lines.filter((entry) => entry.startsWith('  removed ') && !entry.startsWith('  removed IAM document '))).toHaveLength(rendered.length);
    expect(lines).toContain('  removed Function lambda-processor-dev (processing.k8s.yaml)');
  });

  it('can be named with --env', () => {
    const io = fakeIo(rendered, rendered, { current: ['dev'], based: ['dev', 'staging'] });
    expect(runDiff(['--env', 'staging', '--format', 'text'], io)).toBe(1);
    expect(io.output.join('').split('\n')[2]).toBe(`staging: 0 changed, 0 added, ${rendered.length} removed (config/staging.yaml deleted: every object is removed)`);
  });

  it('lists the environments committed under manifests/ at a commit', () => {
    expect(committedEnvironments('HEAD', PROJECT_ROOT)).toEqual(expect.arrayContaining(['dev', 'prod']));
  });
});

describe('resolveBase', () => {
  it('defaults to the merge base of HEAD with main, else origin/main, else HEAD', () => {
    const base = resolveBase(undefined, PROJECT_ROOT);
    expect(base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(base.description).toMatch(/^(the merge base of HEAD and (main|origin\/main)|HEAD) \([0-9a-f]{12}\)$/);
  });
});

describe('a one-line source change of the processor', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'manifest-diff-code-'));
    cpSync(FUNCTIONS_DIR, join(scratch, 'functions'), { recursive: true });
    // The copy resolves its npm packages from the repository's node_modules.
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(scratch, 'node_modules'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  function withBundle(bundle: FunctionBundle): ManifestObject[] {
    const copy = structuredClone(rendered);
    const fn = copy.find(({ object }) => object.kind === 'Function' && (object.metadata as JsonObject).name === 'lambda-processor-dev')?.object as {
      metadata: { annotations: Record<string, string> };
      spec: { code: Record<string, string> };
    };
    fn.metadata.annotations[BUNDLE_ANNOTATIONS.inputsSha256] = bundle.inputs.sha256;
    fn.metadata.annotations[BUNDLE_ANNOTATIONS.sources] = bundleInputLines(bundle.inputs);
    fn.spec.code = { zipFile: bundle.zipFileBase64, sha256: bundle.sha256Base64 };
    return copy;
  }

  it('gives a report of a few lines naming that file, without base64', () => {
    const functionsDir = join(scratch, 'functions');
    const before = bundleFunction('processor', { functionsDir });
    appendFileSync(join(functionsDir, 'processor', 'index.ts'), '\nexport const DIFF_TEST_MARKER = 1;\n');
    const after = bundleFunction('processor', { functionsDir });
    expect(after.sha256Base64).not.toBe(before.sha256Base64);

    const report = formatReport([diffEnvironment('dev', withBundle(before), withBundle(after))], 'markdown', 'main (c0ffee)');
    expect(report.trimEnd().split('\n')).toEqual([
      'Rendered manifests of the working tree compared with main (c0ffee)',
      '',
      '## dev: 1 changed, 0 added, 0 removed',
      '',
      '- **changed** `Function lambda-processor-dev` (processing.k8s.yaml)',
      '  - code: `functions/processor/index.ts` changed',
    ]);
    expect(report).not.toContain(after.sha256Base64);
  });
});

describe('npm run diff on this repository', () => {
  it('renders every environment against HEAD and exits 0 or 1 with a summary line each', () => {
    const result = spawnSync('npx', ['tsx', 'scripts/diff.ts', '--base', 'HEAD', '--format', 'text'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: expect.any(Number), stderr: '' });
    expect([0, 1]).toContain(result.status);
    const lines = result.stdout.trimEnd().split('\n');
    for (const environment of listEnvironments()) expect(lines.some((line) => new RegExp(`^${environment}: \\d+ changed, \\d+ added, \\d+ removed(; IAM documents: \\d+ changed, \\d+ added, \\d+ removed)?$`).test(line))).toBe(true);
    expect(lines.filter((line) => line.length > MAX_LINE_CHARS)).toEqual([]);
  }, 120_000);

  it('exits 2 with one line on a bad flag', () => {
    const result = spawnSync('npx', ['tsx', 'scripts/diff.ts', '--format', 'html'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ status: 2, stderr: 'diff: --format: "html" is not a format; use markdown or text\n', stdout: '' });
  }, 60_000);
});
