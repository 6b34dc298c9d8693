import { Construct } from 'constructs';
import { StreamConsumer, StreamConsumerSpecManagementPolicies } from '../../imports/kinesis.aws.m.upbound.io';
import { EnvironmentConfig } from '../lib/config';
import { crossplaneMetadata } from '../lib/crossplaneMetadata';
import { crossplaneSpec } from '../lib/crossplaneSpec';
import { PlatformNames } from '../lib/names';
import { platformTags } from '../lib/platformTags';

export interface FanOutConsumerProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** The consumer's name, unique per stream; also the object's name. */
  readonly consumerName: string;
  /** Kubernetes object name of the Crossplane Stream the consumer registers on. */
  readonly streamObjectName: string;
}

/** Kinesis consumer names: 1 to 128 letters, digits, `_`, `.` and `-`. */
const CONSUMER_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * A Crossplane StreamConsumer: an enhanced fan-out consumer registered on the platform's stream, which
 * gives one reader its own 2 MB/s per shard, pushed to it (SubscribeToShard) about 70 ms after records
 * arrive, instead of a share of the shard's 5 GetRecords a second.
 *
 * AWS names the consumer by an ARN that ends in its registration time, which only the object's status
 * knows (`status.atProvider.arn`), so a mapping that reads through it is rendered from the config once
 * that ARN is recorded there (`capacity.processorConsumerArn`).
 */
export class FanOutConsumer extends Construct {
  readonly consumerName: string;

  constructor(scope: Construct, id: string, props: FanOutConsumerProps) {
    super(scope, id);
    if (!CONSUMER_NAME.test(props.consumerName)) throw new Error(`FanOutConsumer: props.consumerName must match [A-Za-z0-9_.-]{1,128}, got "${props.consumerName}"`);
    if (props.streamObjectName !== props.names.stream) {
      throw new Error(`FanOutConsumer: props.streamObjectName must be the platform's stream "${props.names.stream}", got "${props.streamObjectName}"`);
    }
    this.consumerName = props.consumerName;
    const crossplane = crossplaneSpec(props.names);
    new StreamConsumer(this, 'Resource', {
      metadata: crossplaneMetadata(props.config, props.names, props.consumerName, 'streamConsumers'),
      spec: {
        providerConfigRef: crossplane.providerConfigRef,
        managementPolicies: crossplane.managementPolicies.map((policy) => policy as StreamConsumerSpecManagementPolicies),
        forProvider: {
          region: props.config.region,
          name: props.consumerName,
          // Same provider: the reference waits for the stream and takes its ARN from the stream's status.
          streamArnRef: { name: props.streamObjectName },
          tags: platformTags(props.config),
        },
      },
    });
  }
}
