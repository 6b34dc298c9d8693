import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { Subscription } from '../../imports/sns.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { CONFIG_LIMITS, EnvironmentConfig } from '../lib/config';
import { SyncWave } from '../lib/conventions';
import { PlatformNames } from '../lib/names';

export interface EmailSubscriptionProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Kubernetes object name of the ACK Topic (resolved by `topicRef`). */
  readonly topicObject: string;
  readonly email: string;
  /** @default "dataStores" */
  readonly wave?: SyncWave;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * An e-mail subscription to a platform topic. SNS sends a confirmation mail and delivers nothing
 * until the recipient confirms; the ACK controller reports the subscription synced meanwhile.
 *
 * The object name is `<topic object>-email-<first 10 hex of sha256(address)>`: stable when the
 * config list is reordered or grows (an index would rename, hence delete and re-create and
 * re-confirm, every later subscription), and it keeps the address out of object names and labels.
 * The endpoint is immutable in SNS, so a changed address is a new object anyway.
 */
export class EmailSubscription extends Construct {
  /** The object name a subscription of `email` to `topicObject` gets. */
  static objectName(topicObject: string, email: string): string {
    return `${topicObject}-email-${createHash('sha256').update(email, 'utf8').digest('hex').slice(0, 10)}`;
  }

  readonly subscription: Subscription;
  readonly objectName: string;

  constructor(scope: Construct, id: string, props: EmailSubscriptionProps) {
    super(scope, id);
    const wave = props.wave ?? 'dataStores';
    if (!CONFIG_LIMITS.emailPattern.test(props.email)) {
      throw new Error(`EmailSubscription: props.email must be an e-mail address, got "${props.email}"`);
    }
    const objectName = EmailSubscription.objectName(props.topicObject, props.email);
    if (objectName.length > 253 || !DNS_SUBDOMAIN.test(objectName)) {
      throw new Error(`EmailSubscription: props.topicObject must make a valid Kubernetes object name, got "${props.topicObject}"`);
    }

    this.objectName = objectName;
    this.subscription = new Subscription(this, 'Resource', {
      metadata: ackMetadata(props.config, props.names, objectName, wave),
      spec: { protocol: 'email', endpoint: props.email, topicRef: { from: { name: props.topicObject } } },
    });
  }
}
