import { Construct } from 'constructs';
import { Policy } from '../../imports/iam.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { compactLength } from '../lib/compactLength';
import { EnvironmentConfig } from '../lib/config';
import { MAX_MANAGED_POLICY_CHARS } from '../lib/documentJson';
import { PlatformNames } from '../lib/names';
import { tagList } from '../lib/tagList';
import { AccessStatement, checkStatements, identityPolicyDocument } from './LeastPrivilegeRole';

export interface OperatorPolicyProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Physical policy name (also the Kubernetes object name), `iam-<purpose>-<suffix>`. */
  readonly policyName: string;
  /** Who attaches it and for what; IAM shows it beside the policy. */
  readonly description: string;
  readonly statements: readonly AccessStatement[];
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/**
 * An ACK IAM managed policy for people and tools outside the charts (operators, dashboards, analysts):
 * attached to nothing here, the account's administrators attach it to the role or permission set that
 * runs the tool. The statements are held to the same least-privilege rules as the function roles.
 */
export class OperatorPolicy extends Construct {
  readonly policyName: string;
  readonly policyArn: string;
  readonly document: string;

  constructor(scope: Construct, id: string, props: OperatorPolicyProps) {
    super(scope, id);
    const { config, names, policyName, statements } = props;
    const fail = (field: string, rule: string, value: unknown): never => {
      throw new Error(`OperatorPolicy: props.${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    if (!POLICY_NAME.test(policyName)) fail('policyName', 'must match [\\w+=,.@-]{1,128}', policyName);
    if (statements.length === 0) fail('statements', 'must hold at least one statement', statements);
    checkStatements(config, statements, 'statements', fail);
    this.document = identityPolicyDocument(statements);
    const chars = compactLength(this.document);
    if (chars > MAX_MANAGED_POLICY_CHARS) {
      throw new Error(
        `OperatorPolicy: props.statements must render a document within IAM's ${MAX_MANAGED_POLICY_CHARS} characters of a managed policy (whitespace excluded), got ${chars} characters for ${JSON.stringify(policyName)}`,
      );
    }
    this.policyName = policyName;
    this.policyArn = `arn:aws:iam::${config.accountId}:policy/${policyName}`;

    new Policy(this, 'Resource', {
      metadata: ackMetadata(config, names, policyName, 'iam'),
      spec: { name: policyName, description: props.description, policyDocument: this.document, tags: tagList(config) },
    });
  }
}
