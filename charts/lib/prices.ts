/**
 * List prices of AWS in sa-east-1 (South America, São Paulo), the one price table of the repository:
 * `npm run cost` (scripts/lib/cost.ts) prices every line with these figures and docs/operations.md
 * quotes the restore prices. On-demand list prices in USD, before taxes, without free tiers, savings
 * plans or private pricing.
 *
 * `unsure: true` marks a figure that was not read off the page's sa-east-1 selection on the date below
 * (it is the author's best knowledge of the regional rate). Check one with the Price List API, for example
 *
 *     aws pricing get-products --region us-east-1 --service-code AWSIoT \
 *       --filters Type=TERM_MATCH,Field=regionCode,Value=sa-east-1
 *
 * (service codes: AWSIoT, AmazonKinesis, AWSLambda, AmazonDynamoDB, AmazonKinesisFirehose, AmazonS3,
 * AmazonCloudWatch, awskms, AmazonSNS, AWSQueueService, AmazonVPC), then update the figure, drop the
 * mark, move PRICES_AS_OF, and fix the hand-computed cases in test/tools/cost.test.ts.
 */
export const PRICES_AS_OF = '2025-06-01';

export const PRICES_REGION = 'sa-east-1';

export interface ListPrice {
  /** USD per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** The AWS pricing page the figure comes from. */
  readonly source: string;
  readonly unsure?: true;
}

const PAGES = {
  iot: 'https://aws.amazon.com/iot-core/pricing/',
  kinesis: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  firehose: 'https://aws.amazon.com/firehose/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  privatelink: 'https://aws.amazon.com/privatelink/pricing/',
} as const;

/** sa-east-1 list prices, by service and item. */
export const PRICES = {
  iot: {
    connectivity: { usd: 0.096, unit: 'million connection-minutes', source: PAGES.iot, unsure: true },
    /** Messaging is metered in 5 KB units and tiered per account and month; Basic Ingest topics are not billed. */
    messagingFirstBillion: { usd: 1.2, unit: 'million messages (first 1 billion)', source: PAGES.iot, unsure: true },
    messagingNextFourBillion: { usd: 0.96, unit: 'million messages (next 4 billion)', source: PAGES.iot, unsure: true },
    messagingOverFiveBillion: { usd: 0.84, unit: 'million messages (over 5 billion)', source: PAGES.iot, unsure: true },
    /** Rules triggered and actions executed are metered in 5 KB units of the message. */
    rulesTriggered: { usd: 0.18, unit: 'million rules triggered', source: PAGES.iot, unsure: true },
    actionsExecuted: { usd: 0.18, unit: 'million actions executed', source: PAGES.iot, unsure: true },
  },
  kinesis: {
    shardHour: { usd: 0.0195, unit: 'shard-hour', source: PAGES.kinesis, unsure: true },
    /** A PUT payload unit is 25 KB of a record. */
    putPayloadUnits: { usd: 0.021, unit: 'million PUT payload units', source: PAGES.kinesis, unsure: true },
    /** Retention beyond 24 h and up to 7 days. */
    extendedRetentionShardHour: { usd: 0.026, unit: 'shard-hour', source: PAGES.kinesis, unsure: true },
    onDemandStreamHour: { usd: 0.052, unit: 'stream-hour', source: PAGES.kinesis, unsure: true },
    /** On-demand data in is metered per record rounded up to 1 KB. */
    onDemandDataInGb: { usd: 0.104, unit: 'GB written', source: PAGES.kinesis, unsure: true },
    onDemandDataOutGb: { usd: 0.052, unit: 'GB read', source: PAGES.kinesis, unsure: true },
  },
  lambda: {
    requests: { usd: 0.2, unit: 'million requests', source: PAGES.lambda },
    /** First tier (up to 7.5 billion GB-seconds a month) of arm64 duration. */
    arm64GbSecond: { usd: 0.0000133334, unit: 'GB-second (arm64)', source: PAGES.lambda },
  },
  dynamodb: {
    /** On-demand, after the November 2024 price reduction; one WRU writes up to 1 KB. */
    writeRequestUnits: { usd: 0.9375, unit: 'million write request units', source: PAGES.dynamodb, unsure: true },
    /** One RRU is a strongly consistent read of up to 4 KB. */
    readRequestUnits: { usd: 0.1875, unit: 'million read request units', source: PAGES.dynamodb, unsure: true },
    storageGbMonth: { usd: 0.375, unit: 'GB-month (Standard table class)', source: PAGES.dynamodb, unsure: true },
  },
  firehose: {
    /** Kinesis Data Streams or Direct PUT source: each record rounded up to 5 KB; first 500 TB a month. */
    ingestedGb: { usd: 0.041, unit: 'GB ingested (5 KB records)', source: PAGES.firehose, unsure: true },
  },
  s3: {
    standardGbMonth: { usd: 0.0405, unit: 'GB-month Standard (first 50 TB)', source: PAGES.s3 },
    standardIaGbMonth: { usd: 0.0221, unit: 'GB-month Standard-IA', source: PAGES.s3, unsure: true },
    glacierIrGbMonth: { usd: 0.008, unit: 'GB-month Glacier Instant Retrieval', source: PAGES.s3, unsure: true },
    deepArchiveGbMonth: { usd: 0.0018, unit: 'GB-month Glacier Deep Archive', source: PAGES.s3, unsure: true },
    putRequests: { usd: 0.007, unit: 'thousand PUT requests (Standard)', source: PAGES.s3 },
    transitionToIa: { usd: 0.013, unit: 'thousand transitions to Standard-IA', source: PAGES.s3, unsure: true },
    transitionToGlacierIr: { usd: 0.026, unit: 'thousand transitions to Glacier IR', source: PAGES.s3, unsure: true },
    transitionToDeepArchive: { usd: 0.07, unit: 'thousand transitions to Deep Archive', source: PAGES.s3, unsure: true },
    /** Reading an object back (docs/operations.md, restoring the archive). */
    glacierIrRetrievalGb: { usd: 0.054, unit: 'GB retrieved from Glacier IR', source: PAGES.s3, unsure: true },
    deepArchiveStandardRestoreGb: { usd: 0.036, unit: 'GB restored from Deep Archive (Standard, 12 h)', source: PAGES.s3, unsure: true },
    deepArchiveBulkRestoreGb: { usd: 0.0045, unit: 'GB restored from Deep Archive (Bulk, 48 h)', source: PAGES.s3, unsure: true },
  },
  cloudwatch: {
    /** First 10,000 metrics; Kinesis shard-level metrics are billed as custom metrics. */
    customMetricMonth: { usd: 0.4, unit: 'metric-month', source: PAGES.cloudwatch, unsure: true },
    /** Standard resolution; metric math and Metrics Insights alarms pay per metric they read. */
    alarmMetricMonth: { usd: 0.15, unit: 'alarm metric-month', source: PAGES.cloudwatch, unsure: true },
    logsIngestedGb: { usd: 0.9, unit: 'GB of logs ingested (standard class)', source: PAGES.cloudwatch, unsure: true },
    logsStoredGbMonth: { usd: 0.045, unit: 'GB-month of logs stored (compressed)', source: PAGES.cloudwatch, unsure: true },
    dashboardMonth: { usd: 3, unit: 'dashboard-month', source: PAGES.cloudwatch },
  },
  kms: {
    keyMonth: { usd: 1, unit: 'customer managed key-month', source: PAGES.kms },
    requests: { usd: 0.03, unit: 'ten thousand requests', source: PAGES.kms },
  },
  sns: {
    publishes: { usd: 0.5, unit: 'million publishes (64 KB chunks)', source: PAGES.sns },
    emailNotifications: { usd: 2, unit: 'hundred thousand e-mail notifications', source: PAGES.sns },
  },
  sqs: {
    requests: { usd: 0.4, unit: 'million requests (standard queue)', source: PAGES.sqs },
  },
  vpc: {
    interfaceEndpointHour: { usd: 0.015, unit: 'endpoint-hour per availability zone', source: PAGES.privatelink, unsure: true },
    interfaceEndpointGb: { usd: 0.01, unit: 'GB processed', source: PAGES.privatelink },
  },
} as const satisfies Record<string, Record<string, ListPrice>>;

export type PriceService = keyof typeof PRICES;

/** `service.item` of every price, the key the cost lines name their price by. */
export type PriceKey = { [S in PriceService]: `${S}.${Extract<keyof (typeof PRICES)[S], string>}` }[PriceService];

/** The price named `service.item`. */
export function priceOf(key: PriceKey): ListPrice {
  const [service, item] = key.split('.') as [PriceService, string];
  return (PRICES[service] as Record<string, ListPrice>)[item] as ListPrice;
}
