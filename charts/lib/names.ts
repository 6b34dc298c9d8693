import { METRICS_NAMESPACE_PREFIX } from '../../functions/shared/constants';
import { EnvironmentConfig } from './config';

/**
 * Every physical name and ARN of one environment, derived once from the config so that charts
 * reference each other by deterministic names (`<type>-<purpose>-<suffix>`), never by lookups.
 */
export class PlatformNames {
  readonly namespace: string;
  readonly kmsAlias: string;
  readonly archiveBucket: string;
  readonly readingsTable: string;
  readonly assetStatusTable: string;
  readonly detectorStateTable: string;
  readonly stream: string;
  /** The processor's enhanced fan-out consumer of the stream (registered with `capacity.processorFanOut`). */
  readonly processorConsumer: string;
  readonly deadLetterQueue: string;
  readonly alertTopic: string;
  readonly opsTopic: string;
  readonly processorFunction: string;
  readonly storerFunction: string;
  readonly processorRole: string;
  readonly storerRole: string;
  readonly iotRuleRole: string;
  readonly firehoseRole: string;
  readonly iotLoggingRole: string;
  /** Managed policy operators attach to run the dead-letter redrive tool (scripts/redrive.ts). */
  readonly redrivePolicy: string;
  /**
   * Managed policy every platform role carries as its permissions boundary, created at bootstrap
   * from `controller-iam/iam-role-boundary.json` (not by the IAM controller, which must not widen it).
   */
  readonly roleBoundaryPolicy: string;
  /** The read path: the query function, its role, and the policies of operators (`npm run query`) and dashboards (its URL). */
  readonly queryFunction: string;
  readonly queryRole: string;
  readonly queryOperatorPolicy: string;
  readonly queryDashboardPolicy: string;
  /** Analysts of the archive: Athena workgroup, Glue database and tables (Glue and Athena want underscores in database and table names). */
  readonly analystPolicy: string;
  readonly athenaWorkgroup: string;
  readonly glueDatabase: string;
  readonly rawTable: string;
  readonly quarantineTable: string;
  /** Prefix of the Athena workgroup's query results in the archive bucket (expired by the bucket lifecycle). */
  readonly athenaResultsPrefix: string;
  /** IoT rule names allow only letters, digits and underscores, so the convention uses underscores. */
  readonly telemetryRule: string;
  readonly presenceRule: string;
  readonly devicePolicy: string;
  readonly firehose: string;
  readonly vpc: string;
  readonly dashboard: string;
  readonly crossplaneProviderConfig: string;
  /** Kubernetes object names of resources referenced across charts with ACK `*Ref: {from: {name}}`. */
  readonly kmsKeyObject: string;
  readonly privateSubnets: readonly { readonly object: string; readonly availabilityZone: string }[];
  readonly functionsSecurityGroup: string;
  readonly endpointsSecurityGroup: string;
  /**
   * Security group names (GroupName) of the two groups above: AWS refuses a GroupName that starts
   * with `sg-`, so the physical names differ from the object names.
   */
  readonly functionsSecurityGroupName: string;
  readonly endpointsSecurityGroupName: string;
  /** The one route table of the private subnets (object name and Name tag). */
  readonly privateRouteTable: string;
  /** VPC endpoints (object names and Name tags). */
  readonly vpcEndpoints: { readonly dynamodb: string; readonly s3: string; readonly sns: string };
  /** Prefix under which Firehose writes raw records in the archive bucket; the bucket lifecycle tiers it. */
  readonly archiveRawPrefix: string;
  /** Log group IoT Core writes to: a fixed name per account and region (the ingestion chart creates it encrypted). */
  readonly iotLogGroup: string;
  readonly argoProject: string;
  readonly argoApplication: string;
  /** The Application of the alert recipients' e-mail subscriptions (charts/recipients.ts says why it is apart). */
  readonly argoRecipientsApplication: string;

  constructor(private readonly config: EnvironmentConfig) {
    const s = config.suffix;
    this.namespace = `telemetry-${s}`;
    this.kmsAlias = `alias/kms-telemetry-${s}`;
    this.archiveBucket = `s3-archive-${config.accountId}-${s}`;
    this.readingsTable = `dynamodb-readings-${s}`;
    this.assetStatusTable = `dynamodb-asset-status-${s}`;
    this.detectorStateTable = `dynamodb-detector-state-${s}`;
    this.stream = `kinesis-telemetry-${s}`;
    this.processorConsumer = `kinesis-processor-${s}`;
    this.deadLetterQueue = `sqs-stream-dlq-${s}`;
    this.alertTopic = `sns-alerts-${s}`;
    this.opsTopic = `sns-ops-${s}`;
    this.processorFunction = `lambda-processor-${s}`;
    this.storerFunction = `lambda-storer-${s}`;
    this.processorRole = `iam-processor-${s}`;
    this.storerRole = `iam-storer-${s}`;
    this.iotRuleRole = `iam-iot-rule-${s}`;
    this.firehoseRole = `iam-firehose-${s}`;
    this.iotLoggingRole = `iam-iot-logging-${s}`;
    this.redrivePolicy = `iam-redrive-${s}`;
    this.roleBoundaryPolicy = `iam-role-boundary-${s}`;
    this.queryFunction = `lambda-query-${s}`;
    this.queryRole = `iam-query-${s}`;
    this.queryOperatorPolicy = `iam-query-operator-${s}`;
    this.queryDashboardPolicy = `iam-query-dashboard-${s}`;
    this.analystPolicy = `iam-analyst-${s}`;
    this.athenaWorkgroup = `athena-telemetry-${s}`;
    this.glueDatabase = `glue_telemetry_${s}`;
    this.rawTable = 'raw_records';
    this.quarantineTable = 'quarantine_records';
    this.athenaResultsPrefix = 'athena-results/';
    this.telemetryRule = `iot_telemetry_${s}`;
    this.presenceRule = `iot_presence_${s}`;
    this.devicePolicy = `iot-device-${s}`;
    this.firehose = `firehose-archive-${s}`;
    this.vpc = `vpc-telemetry-${s}`;
    this.dashboard = `cw-telemetry-${s}`;
    this.crossplaneProviderConfig = `aws-${s}`;
    this.kmsKeyObject = `kms-telemetry-${s}`;
    this.privateSubnets = ['a', 'b', 'c'].map((zone) => ({
      object: `subnet-private-${zone}-${s}`,
      availabilityZone: `${config.region}${zone}`,
    }));
    this.functionsSecurityGroup = `sg-functions-${s}`;
    this.endpointsSecurityGroup = `sg-endpoints-${s}`;
    this.functionsSecurityGroupName = `secgroup-functions-${s}`;
    this.endpointsSecurityGroupName = `secgroup-endpoints-${s}`;
    this.privateRouteTable = `rtb-private-${s}`;
    this.vpcEndpoints = { dynamodb: `vpce-dynamodb-${s}`, s3: `vpce-s3-${s}`, sns: `vpce-sns-${s}` };
    this.archiveRawPrefix = 'raw/';
    this.iotLogGroup = 'AWSIotLogsV2';
    this.argoProject = `telemetry-${s}`;
    this.argoApplication = `telemetry-${s}`;
    this.argoRecipientsApplication = `telemetry-${s}-recipients`;
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.config.region}:${this.config.accountId}:${resource}`;
  }

  get kmsAliasArn(): string {
    return this.arn('kms', this.kmsAlias);
  }

  /** Any key of the account: narrowed in IAM statements by the `kms:ResourceAliases` condition. */
  get kmsKeysArn(): string {
    return this.arn('kms', 'key/*');
  }

  get archiveBucketArn(): string {
    return `arn:aws:s3:::${this.archiveBucket}`;
  }

  get streamArn(): string {
    return this.arn('kinesis', `stream/${this.stream}`);
  }

  /** The processor consumer's ARN up to the registration time AWS appends (epoch seconds). */
  get processorConsumerArnPrefix(): string {
    return `${this.streamArn}/consumer/${this.processorConsumer}:`;
  }

  get deadLetterQueueArn(): string {
    return this.arn('sqs', this.deadLetterQueue);
  }

  get deadLetterQueueUrl(): string {
    return `https://sqs.${this.config.region}.amazonaws.com/${this.config.accountId}/${this.deadLetterQueue}`;
  }

  get alertTopicArn(): string {
    return this.arn('sns', this.alertTopic);
  }

  get opsTopicArn(): string {
    return this.arn('sns', this.opsTopic);
  }

  tableArn(table: string): string {
    return this.arn('dynamodb', `table/${table}`);
  }

  functionArn(functionName: string): string {
    return this.arn('lambda', `function:${functionName}`);
  }

  roleArn(roleName: string): string {
    return `arn:aws:iam::${this.config.accountId}:role/${roleName}`;
  }

  get roleBoundaryArn(): string {
    return `arn:aws:iam::${this.config.accountId}:policy/${this.roleBoundaryPolicy}`;
  }

  /**
   * Name of a controller's role in the environment's account, `<controller>-<suffix>` (created at
   * bootstrap, not by the charts): the key policy names the KMS controller's role, so the name is a
   * contract, not an example.
   */
  controllerRoleName(controller: string): string {
    return `${controller}-${this.config.suffix}`;
  }

  logGroup(functionName: string): string {
    return `/aws/lambda/${functionName}`;
  }

  logGroupArn(logGroupName: string): string {
    return this.arn('logs', `log-group:${logGroupName}`);
  }

  topicRuleArn(ruleName: string): string {
    return this.arn('iot', `rule/${ruleName}`);
  }

  get glueCatalogArn(): string {
    return this.arn('glue', 'catalog');
  }

  get glueDatabaseArn(): string {
    return this.arn('glue', `database/${this.glueDatabase}`);
  }

  glueTableArn(table: string): string {
    return this.arn('glue', `table/${this.glueDatabase}/${table}`);
  }

  get athenaWorkgroupArn(): string {
    return this.arn('athena', `workgroup/${this.athenaWorkgroup}`);
  }

  get firehoseArn(): string {
    return this.arn('firehose', `deliverystream/${this.firehose}`);
  }

  /** CloudWatch namespace of the functions' EMF metrics (their POWERTOOLS_METRICS_NAMESPACE). */
  get metricsNamespace(): string {
    return `${METRICS_NAMESPACE_PREFIX}/${this.config.suffix}`;
  }

  /** Physical name of a CloudWatch alarm: `cw-<purpose>-<suffix>`. */
  alarmName(purpose: string): string {
    return `cw-${purpose}-${this.config.suffix}`;
  }

  alarmArn(alarmName: string): string {
    return this.arn('cloudwatch', `alarm:${alarmName}`);
  }

  /**
   * ARN pattern (ArnLike) of the platform's alarms, `...:alarm:cw-*-<suffix>`: the ops topic and the key
   * let these publish, not any alarm of the account.
   */
  get platformAlarmArnPattern(): string {
    return this.alarmArn(this.alarmName('*'));
  }

  get dashboardUrl(): string {
    return `https://${this.config.region}.console.aws.amazon.com/cloudwatch/home?region=${this.config.region}#dashboards/dashboard/${this.dashboard}`;
  }
}
