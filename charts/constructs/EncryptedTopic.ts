import { Construct } from 'constructs';
import { Topic } from '../../imports/sns.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { EnvironmentConfig } from '../lib/config';
import { SyncWave } from '../lib/conventions';
import { PlatformNames } from '../lib/names';
import { tagList } from '../lib/tagList';
import { denyInsecureTransport } from './denyInsecureTransport';
import { policyDocument, PolicyStatement } from './policyDocument';

export interface EncryptedTopicProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Physical topic name; also the Kubernetes object name. */
  readonly topicName: string;
  /** Sender name of the e-mails the topic sends (SNS allows up to 100 characters). */
  readonly displayName: string;
  /** Statements added to the topic policy after the TLS-only deny. @default - none */
  readonly additionalStatements?: (topicArn: string) => readonly PolicyStatement[];
  /** Kubernetes object name of the ACK KMS Key that encrypts the topic. @default names.kmsKeyObject */
  readonly kmsKeyObject?: string;
  /** @default "dataStores" */
  readonly wave?: SyncWave;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * A standard SNS topic encrypted with the environment's KMS key, whose policy refuses publishing
 * over plain HTTP. Same-account publishers need no allow here: their IAM policy suffices.
 */
export class EncryptedTopic extends Construct {
  readonly topic: Topic;
  readonly topicName: string;
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    const kmsKeyObject = props.kmsKeyObject ?? props.names.kmsKeyObject;
    const wave = props.wave ?? 'dataStores';
    if (!TOPIC_NAME.test(props.topicName)) {
      throw new Error(`EncryptedTopic: props.topicName must match [A-Za-z0-9_-]{1,256}, got "${props.topicName}"`);
    }
    if (props.displayName.length === 0 || props.displayName.length > 100) {
      throw new Error(`EncryptedTopic: props.displayName must have 1 to 100 characters, got "${props.displayName}"`);
    }

    this.topicName = props.topicName;
    this.topicArn = `arn:aws:sns:${props.config.region}:${props.config.accountId}:${props.topicName}`;
    const statements = [denyInsecureTransport('DenyInsecureTransport', 'sns:Publish', this.topicArn), ...(props.additionalStatements?.(this.topicArn) ?? [])];
    this.topic = new Topic(this, 'Resource', {
      metadata: ackMetadata(props.config, props.names, props.topicName, wave),
      spec: {
        name: props.topicName,
        displayName: props.displayName,
        kmsMasterKeyRef: { from: { name: kmsKeyObject } },
        policy: policyDocument(statements),
        tags: tagList(props.config),
      },
    });
  }
}
