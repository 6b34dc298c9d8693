import { Construct } from 'constructs';
import { Role } from '../../imports/iam.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { compactLength } from '../lib/compactLength';
import { EnvironmentConfig } from '../lib/config';
import { documentJson } from '../lib/documentJson';
import { PlatformNames } from '../lib/names';
import { tagList } from '../lib/tagList';

/** Values of one condition key: a string or a list (IAM treats a list as "any of"). */
export type ConditionValue = string | readonly string[];

/** IAM condition block: operator (`StringEquals`, `ArnEquals`, `ForAnyValue:StringEquals`...) -> key -> values. */
export type PolicyConditions = Readonly<Record<string, Readonly<Record<string, ConditionValue>>>>;

/** One Allow statement of an inline policy. */
export interface AccessStatement {
  /** Statement id, letters and digits: says what the statement is for. */
  readonly sid: string;
  /** Exact actions (`service:Action`); wildcards are rejected. */
  readonly actions: readonly string[];
  /** Exact ARNs (ARN patterns only where an id is unknown at synth), or `*` with a reason. */
  readonly resources: readonly string[];
  /**
   * Conditions narrowing the statement.
   * @default none
   */
  readonly conditions?: PolicyConditions;
  /**
   * Why AWS accepts only `*` as the resource of these actions; required when `resources` holds `*`.
   * @default none: `*` is rejected
   */
  readonly wildcardResourceReason?: string;
}

/** Who may assume the role: one AWS service, with the conditions that pin the caller to this account. */
export interface ServiceTrust {
  /** Service principal, e.g. `lambda.amazonaws.com`. */
  readonly service: string;
  /**
   * Conditions of the trust statement. Must include `aws:SourceAccount` or `sts:ExternalId` equal to
   * the account id (confused-deputy protection).
   */
  readonly conditions: PolicyConditions;
}

export interface LeastPrivilegeRoleProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Physical role name (also the Kubernetes object name). */
  readonly roleName: string;
  readonly description: string;
  readonly trust: ServiceTrust;
  /** Inline policies: name -> statements. */
  readonly policies: Readonly<Record<string, readonly AccessStatement[]>>;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const SID = /^[A-Za-z0-9]{1,100}$/;
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
/** arn:partition:service:region:account:resource */
const ARN = /^arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;
/** IAM's limit on the combined size of a role's inline policies, whitespace excluded. */
export const MAX_INLINE_POLICY_CHARS = 10_240;

/**
 * Renders an identity policy (a role's inline policy, or a managed policy) from access statements; key
 * order fixed, indented one statement per block. The IAM controller compares inline policies as text
 * with what IAM returns, which is the submitted text verbatim (URL-decoded), so indentation is stable.
 */
export function identityPolicyDocument(statements: readonly AccessStatement[]): string {
  return documentJson({
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({
      Sid: statement.sid,
      Effect: 'Allow',
      Action: [...statement.actions].sort(),
      Resource: [...statement.resources],
      ...(statement.conditions ? { Condition: statement.conditions } : {}),
    })),
  });
}

/**
 * Refuses what least privilege forbids in identity statements: wildcard actions, `*` resources without
 * a stated reason, ARNs of another region or account, duplicate or malformed Sids. `fail` names the prop.
 */
export function checkStatements(
  config: EnvironmentConfig,
  statements: readonly AccessStatement[],
  path: string,
  fail: (field: string, rule: string, value: unknown) => never,
): void {
  const sids = new Set<string>();
  statements.forEach((statement, index) => {
    const at = `${path}[${index}]`;
    if (!SID.test(statement.sid)) fail(`${at}.sid`, 'must be 1 to 100 letters and digits', statement.sid);
    if (sids.has(statement.sid)) fail(`${at}.sid`, 'must be unique within its policy', statement.sid);
    sids.add(statement.sid);
    if (statement.actions.length === 0) fail(`${at}.actions`, 'must name at least one action', statement.actions);
    statement.actions.forEach((action, i) => {
      if (!ACTION.test(action)) fail(`${at}.actions[${i}]`, 'must name one action as service:Action, without wildcards', action);
    });
    if (statement.resources.length === 0) fail(`${at}.resources`, 'must name at least one resource', statement.resources);
    statement.resources.forEach((resource, i) => {
      if (resource === '*') {
        if (!statement.wildcardResourceReason) fail(`${at}.resources[${i}]`, 'is "*" without a wildcardResourceReason', resource);
        return;
      }
      const arn = ARN.exec(resource);
      if (!arn) return fail(`${at}.resources[${i}]`, 'must be an ARN of the aws partition or "*"', resource);
      const [, , region, account] = arn;
      if (region !== '' && region !== config.region) fail(`${at}.resources[${i}]`, `must stay in ${config.region} (data residency)`, resource);
      if (account !== '' && account !== config.accountId) fail(`${at}.resources[${i}]`, `must belong to account ${config.accountId}`, resource);
    });
  });
}

/**
 * An ACK IAM Role assumable by one AWS service, with inline policies that name exact actions on exact
 * resources. Validation rejects what least privilege forbids: wildcard actions, `*` resources without
 * a stated reason, ARNs of another region or account, and trust without confused-deputy conditions.
 */
export class LeastPrivilegeRole extends Construct {
  readonly roleName: string;
  readonly roleArn: string;
  /** The Kubernetes object name, for ACK `roleRef: {from: {name}}`. */
  readonly objectName: string;
  readonly assumeRolePolicyDocument: string;
  readonly inlinePolicies: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LeastPrivilegeRoleProps) {
    super(scope, id);
    const { config, names, roleName, trust, policies } = props;
    const fail = (field: string, rule: string, value: unknown): never => {
      throw new Error(`LeastPrivilegeRole: props.${field} ${rule}, got ${JSON.stringify(value)}`);
    };

    if (!ROLE_NAME.test(roleName)) fail('roleName', 'must match [\\w+=,.@-]{1,64}', roleName);
    if (!SERVICE_PRINCIPAL.test(trust.service)) fail('trust.service', 'must be an AWS service principal (<name>.amazonaws.com)', trust.service);
    const pinsAccount = ['aws:SourceAccount', 'sts:ExternalId'].some((key) => trust.conditions.StringEquals?.[key] === config.accountId);
    if (!pinsAccount) {
      fail('trust.conditions', `must pin the caller with StringEquals aws:SourceAccount or sts:ExternalId = "${config.accountId}" (confused-deputy protection)`, trust.conditions);
    }
    const policyNames = Object.keys(policies);
    if (policyNames.length === 0) fail('policies', 'must hold at least one inline policy', policies);

    const inlinePolicies: Record<string, string> = {};
    for (const policyName of policyNames.sort()) {
      const statements = policies[policyName];
      if (!POLICY_NAME.test(policyName)) fail('policies', 'names must match [\\w+=,.@-]{1,128}', policyName);
      if (statements.length === 0) fail(`policies.${policyName}`, 'must hold at least one statement', statements);
      checkStatements(config, statements, `policies.${policyName}`, fail);
      inlinePolicies[policyName] = identityPolicyDocument(statements);
    }
    // IAM counts the size without whitespace.
    const totalChars = Object.values(inlinePolicies).reduce((sum, document) => sum + compactLength(document), 0);
    if (totalChars > MAX_INLINE_POLICY_CHARS) {
      fail('policies', `must stay within IAM's ${MAX_INLINE_POLICY_CHARS} characters of inline policy per role (${totalChars})`, policyNames);
    }

    this.roleName = roleName;
    this.objectName = roleName;
    this.roleArn = names.roleArn(roleName);
    this.inlinePolicies = inlinePolicies;
    this.assumeRolePolicyDocument = documentJson({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: trust.service }, Action: 'sts:AssumeRole', Condition: trust.conditions }],
    });

    new Role(this, 'Resource', {
      metadata: ackMetadata(config, names, roleName, 'iam'),
      spec: {
        name: roleName,
        description: props.description,
        assumeRolePolicyDocument: this.assumeRolePolicyDocument,
        inlinePolicies,
        // The IAM controller may create and change platform roles only with this boundary on them.
        permissionsBoundary: names.roleBoundaryArn,
        tags: tagList(config),
      },
    });
  }
}
