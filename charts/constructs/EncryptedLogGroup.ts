import { Construct } from 'constructs';
import { LogGroup } from '../../imports/cloudwatchlogs.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { CONFIG_LIMITS, EnvironmentConfig } from '../lib/config';
import { PlatformNames } from '../lib/names';
import { platformTags } from '../lib/platformTags';


export interface EncryptedLogGroupProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Kubernetes object name (log group names hold `/`, which object names cannot). */
  readonly objectName: string;
  /** The log group's name, e.g. `/aws/lambda/<function>`. */
  readonly logGroupName: string;
  /**
   * Days the events are kept.
   * @default config.retention.logDays
   */
  readonly retentionDays?: number;
}

/**
 * An ACK LogGroup created before its writer (logs wave), encrypted with the platform key and with a
 * retention, so that neither Lambda nor anyone else creates it unencrypted and kept forever.
 */
export class EncryptedLogGroup extends Construct {
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? props.config.retention.logDays;
    // The retention values CloudWatch Logs accepts, as the config checks them; the message names where the value came from.
    if (!(CONFIG_LIMITS.logDays as readonly number[]).includes(retentionDays)) {
      const source = props.retentionDays === undefined ? 'props.config.retention.logDays (the default of props.retentionDays)' : 'props.retentionDays';
      throw new Error(`EncryptedLogGroup: ${source} must be one of ${CONFIG_LIMITS.logDays.join(', ')}, got ${JSON.stringify(retentionDays)}`);
    }
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(props.logGroupName)) throw new Error(`EncryptedLogGroup: props.logGroupName must match [.-_/#A-Za-z0-9]{1,512}, got "${props.logGroupName}"`);
    this.logGroupName = props.logGroupName;
    new LogGroup(this, 'Resource', {
      metadata: ackMetadata(props.config, props.names, props.objectName, 'logGroups'),
      spec: {
        name: props.logGroupName,
        retentionDays,
        // Resolved by ACK to the key's ARN (CloudWatch Logs takes a key ARN, not an alias).
        kmsKeyRef: { from: { name: props.names.kmsKeyObject } },
        tags: platformTags(props.config),
      },
    });
  }
}
