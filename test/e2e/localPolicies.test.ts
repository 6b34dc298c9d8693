import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { LocalPipeline } from '../../scripts/lib/local/LocalPipeline';
import { LocalPolicyEnforcer } from '../../scripts/lib/local/LocalPolicyEnforcer';
import type { LocalManifests } from '../../scripts/lib/local/LocalManifests';
import { readManifests } from '../../scripts/lib/local/readManifests';

const REPOSITORY = resolve(__dirname, '..', '..');
const manifests = readManifests(join(REPOSITORY, 'manifests', 'dev'), 'dev');
const QUEUE = 'arn:aws:sqs:sa-east-1:111122223333:sqs-stream-dlq-dev';
const STREAM = 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev';

type RenderedObject = { kind?: string; metadata?: { name?: string }; spec: Record<string, unknown> };

describe('the local pipeline reads who may call what from the rendered dev manifests', () => {
  it("gives each function its Role's AWS name, and each topic rule's actions their role", () => {
    expect(manifests.functions.map((fn) => [fn.name, fn.roleName, fn.inVpc])).toEqual([
      ['lambda-processor-dev', 'iam-processor-dev', true],
      ['lambda-storer-dev', 'iam-storer-dev', true],
      ['lambda-query-dev', 'iam-query-dev', true],
    ]);
    for (const rule of manifests.topicRules) {
      expect([rule.kinesis?.roleArn, rule.errorS3?.roleArn]).toEqual(['arn:aws:iam::111122223333:role/iam-iot-rule-dev', 'arn:aws:iam::111122223333:role/iam-iot-rule-dev']);
    }
    expect(manifests.access.roles.map((role) => role.name)).toEqual(expect.arrayContaining(['iam-processor-dev', 'iam-storer-dev', 'iam-iot-rule-dev']));
    expect(manifests.access.roleBoundary?.id).toBe('controller-iam/iam-role-boundary.json');
    expect(manifests.access.resourcePolicies.map((policy) => policy.arn)).toEqual(expect.arrayContaining([QUEUE, 'arn:aws:s3:::s3-archive-111122223333-dev']));
  });

  it("decides the mappings' and rules' calls with the rendered identity, boundary and resource policies", async () => {
    const policies = new LocalPolicyEnforcer(manifests);
    const as = (roleName: string, action: string, resource: string): Promise<unknown> => policies.authorizeAs({ roleName, session: 'test', action, resource });
    expect(await as('iam-processor-dev', 'kinesis:GetRecords', STREAM)).toEqual({ outcome: 'allowed' });
    expect(await as('iam-storer-dev', 'sqs:SendMessage', QUEUE)).toEqual({ outcome: 'allowed' });
    expect(await as('iam-iot-rule-dev', 'kinesis:PutRecord', STREAM)).toEqual({ outcome: 'allowed' });
    expect(await as('iam-query-dev', 'sqs:SendMessage', QUEUE)).toEqual({
      outcome: 'denied',
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-query-dev/test is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} with an explicit deny`,
    });
    expect(await as('iam-processor-dev', 'kinesis:PutRecord', STREAM)).toEqual({
      outcome: 'denied',
      message: `User: arn:aws:sts::111122223333:assumed-role/iam-processor-dev/test is not authorized to perform: kinesis:PutRecord on resource: ${STREAM} because no identity-based or resource-based policy allows the action`,
    });
  });
});

describe('a mapping its role may not run is refused at start, as Lambda refuses to create it', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'local-policies-'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A copy of manifests/dev with `edit` applied to every object of `fileName`, read as the pipeline reads it. */
  function devWith(fileName: string, edit: (object: RenderedObject) => void): { manifests: LocalManifests; directory: string } {
    const directory = join(mkdtempSync(join(scratch, 'copy-')), 'dev');
    cpSync(join(REPOSITORY, 'manifests', 'dev'), directory, { recursive: true });
    const file = join(directory, fileName);
    const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS({ maxAliasCount: -1 }) as RenderedObject);
    for (const object of objects) edit(object);
    writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'));
    return { manifests: readManifests(directory, 'dev'), directory };
  }

  /** Starts a pipeline of `edited`; a refusal comes before anything starts, and a pipeline that did start is stopped. */
  async function start(edited: LocalManifests): Promise<void> {
    const pipeline = new LocalPipeline({ manifests: edited, repositoryRoot: REPOSITORY, certsDirectory: join(scratch, 'certs'), logDirectory: join(scratch, 'logs'), port: 0 });
    await pipeline.start();
    await pipeline.stop();
  }

  it("refuses the storer's mapping when its role's inline policy no longer allows sqs:SendMessage to the dead-letter queue", async () => {
    const { manifests: edited, directory } = devWith('processing.k8s.yaml', (object) => {
      if (object.kind !== 'Role' || object.spec.name !== 'iam-storer-dev') return;
      const inline = object.spec.inlinePolicies as Record<string, string>;
      for (const [name, json] of Object.entries(inline)) {
        const document = JSON.parse(json) as { Statement: Array<{ Action: string | string[] }> };
        document.Statement = document.Statement.filter((statement) => !([] as string[]).concat(statement.Action).includes('sqs:SendMessage'));
        inline[name] = JSON.stringify(document);
      }
    });
    await expect(start(edited)).rejects.toThrow(
      `mapping esm-storer-dev (${join(directory, 'processing.k8s.yaml')}): AWS refuses it: InvalidParameterValueException: The provided execution role does not have permissions to call SendMessage on SQS ` +
        `(User: arn:aws:sts::111122223333:assumed-role/iam-storer-dev/lambda-storer-dev is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} because no identity-based or resource-based policy allows the action)`,
    );
  });

  it("refuses it when the queue's policy no longer names the storer's role among the senders (DenySendersOtherThanStreamFunctions)", async () => {
    const { manifests: edited, directory } = devWith('stream.k8s.yaml', (object) => {
      if (object.kind !== 'Queue') return;
      const policy = JSON.parse(String(object.spec.policy)) as { Statement: Array<{ Sid: string; Condition?: { ArnNotEquals: Record<string, string[]> } }> };
      const senders = policy.Statement.find((statement) => statement.Sid === 'DenySendersOtherThanStreamFunctions')?.Condition?.ArnNotEquals ?? {};
      senders['aws:PrincipalArn'] = (senders['aws:PrincipalArn'] ?? []).filter((arn) => !arn.endsWith(':role/iam-storer-dev'));
      object.spec.policy = JSON.stringify(policy);
    });
    await expect(start(edited)).rejects.toThrow(
      `mapping esm-storer-dev (${join(directory, 'processing.k8s.yaml')}): AWS refuses it: InvalidParameterValueException: The provided execution role does not have permissions to call SendMessage on SQS ` +
        `(User: arn:aws:sts::111122223333:assumed-role/iam-storer-dev/lambda-storer-dev is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} with an explicit deny)`,
    );
  });
});
