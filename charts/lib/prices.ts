/**
 * List prices of AWS in sa-east-1 (South America, São Paulo), the one price table of the repository:
 * `npm run cost` (scripts/lib/monthlyCost.ts) prices every line with these figures and docs/operations.md
 * quotes the restore prices. On-demand list prices in USD, before taxes, without free tiers, savings
 * plans or private pricing.
 *
 * Every entry names its `source` and, where the source shows one, `sourceDate` (the publication date of
 * the offer the figure was read from). Most figures were read on 2026-11-30 from a snapshot of the data
 * feeds the AWS pricing pages render (b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/<service>, keyed by
 * region name, "South America (Sao Paulo)"), committed to github.com/lamngockhuong/aws-price on
 * 2025-11-04; AWS republishes a feed only when a rate in it changes. `unsure: true` marks a figure no
 * source read for sa-east-1 confirms: either no sa-east-1 rate was found (the figure is the author's
 * best knowledge, kept until someone reads it) or it was read off a neighbouring item (see `note`).
 * Check one with the Price List API, for example
 *
 *     aws pricing get-products --region us-east-1 --service-code AWSIoT \
 *       --filters Type=TERM_MATCH,Field=regionCode,Value=sa-east-1
 *
 * (service codes: AWSIoT, AmazonKinesis, AWSLambda, AmazonDynamoDB, AmazonKinesisFirehose, AmazonS3,
 * AmazonCloudWatch, awskms, AmazonSNS, AWSQueueService, AmazonVPC), then update the figure, its source
 * and date, drop the mark, move PRICES_AS_OF, and fix the hand-computed cases in test/tools/cost.test.ts.
 */
export const PRICES_AS_OF = '2025-11-04';

export const PRICES_REGION = 'sa-east-1';

export interface ListPrice {
  /** USD per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** Where the sa-east-1 figure was read (or, for an unsure figure, the AWS pricing page to read it on). */
  readonly source: string;
  /** Publication date of the offer or feed the figure was read from, when the source shows one. */
  readonly sourceDate?: string;
  /** How the figure was read, or why it is unsure. */
  readonly note?: string;
  readonly unsure?: true;
}

const PAGES = {
  iot: 'https://aws.amazon.com/iot-core/pricing/',
  firehose: 'https://aws.amazon.com/firehose/pricing/',
} as const;

/**
 * The pricing-page feed of a service as snapshotted in github.com/lamngockhuong/aws-price (commit
 * 508fb45, 2025-11-04); each file's manifest carries hawkFilePublicationDate, given as `sourceDate`.
 */
const FEED = (service: string): string =>
  `AWS pricing-page feed b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/${service}/USD/current/${service}.json, region "South America (Sao Paulo)", ` +
  `snapshot https://github.com/lamngockhuong/aws-price/blob/508fb45296c89efe38772babd7ec766644629267/lib/data/pricing/${service}.json`;

const FEED_DATE = {
  kinesis: '2025-11-03',
  lambda: '2025-10-30',
  dynamodb: '2025-08-28',
  s3: '2025-10-22',
  cloudwatch: '2025-09-23',
  kms: '2025-08-28',
  sns: '2025-08-28',
  vpc: '2025-11-04',
} as const;

/** Figures seen only as quoted by public documents that cite the AWS Price List offer file (found through the code search index). */
const QUOTED = {
  iotMessages:
    'AWS Price List https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSIoT/current/sa-east-1/index.csv, usage type SAE1-Messages, ' +
    'SKU XRCVMWV6BBB3Y8JH, as quoted by a public pricing-research document (code index file 68525775694, checked 2026-09-26)',
  sqs:
    'AWS Price List https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSQueueService/20250828200713/sa-east-1/index.json, ' +
    'as quoted by a public cost study ("SQS Standard $0.40 per million", code index file 71223576611)',
} as const;

const NO_SOURCE = 'no sa-east-1 figure found in public sources on 2026-11-30; kept from memory';

/** sa-east-1 list prices, by service and item. */
export const PRICES = {
  iot: {
    connectivity: { usd: 0.096, unit: 'million connection-minutes', source: PAGES.iot, unsure: true, note: `${NO_SOURCE} (0.096 is the Tokyo rate; the sa-east-1 messaging rate found is 1.25x Tokyo's, so this is likely low)` },
    /** Messaging is metered in 5 KB units and tiered per account and month; Basic Ingest topics ($aws/rules/...) are not billed for messaging (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html). */
    messagingFirstBillion: { usd: 1.5, unit: 'million messages (first 1 billion)', source: QUOTED.iotMessages, sourceDate: '2026-09-11' },
    messagingNextFourBillion: { usd: 0.96, unit: 'million messages (next 4 billion)', source: PAGES.iot, unsure: true, note: `${NO_SOURCE} (Tokyo rate; likely low, the first tier is 1.50 here)` },
    messagingOverFiveBillion: { usd: 0.84, unit: 'million messages (over 5 billion)', source: PAGES.iot, unsure: true, note: `${NO_SOURCE} (Tokyo rate; likely low)` },
    /** Rules triggered and actions executed are metered in 5 KB units of the message. */
    rulesTriggered: { usd: 0.18, unit: 'million rules triggered', source: PAGES.iot, unsure: true, note: `${NO_SOURCE} (Tokyo rate; likely low)` },
    actionsExecuted: { usd: 0.18, unit: 'million actions executed', source: PAGES.iot, unsure: true, note: `${NO_SOURCE} (Tokyo rate; likely low)` },
  },
  kinesis: {
    shardHour: { usd: 0.03, unit: 'shard-hour', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"Provisioned shard hour per ShardHour"' },
    /** A PUT payload unit is 25 KB of a record. */
    putPayloadUnits: { usd: 0.028, unit: 'million PUT payload units', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"Payload Units per PutRequest" 0.000000028 each' },
    /** Retention beyond 24 h and up to 7 days. */
    extendedRetentionShardHour: { usd: 0.04, unit: 'shard-hour', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"Addon shard hour per ShardHour" (us-east-1 0.02, the extended-retention rate there)' },
    onDemandStreamHour: { usd: 0.08, unit: 'stream-hour', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"OnDemandStreamHr per StreamHr"' },
    /** On-demand data in is metered per record rounded up to 1 KB. */
    onDemandDataInGb: { usd: 0.16, unit: 'GB written', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"OnDemandDataIngested per GB"' },
    onDemandDataOutGb: { usd: 0.08, unit: 'GB read', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"OnDemandDataRetrieval per GB"' },
    /** A registered enhanced fan-out consumer, per shard of its stream, whether read or not. */
    fanOutConsumerShardHour: { usd: 0.03, unit: 'consumer-shard-hour', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"Enhanced fan out per ConsumerShardHour"' },
    fanOutDataGb: { usd: 0.026, unit: 'GB read', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"Enhanced fan out GB of data retrieved per GB"' },
    onDemandFanOutDataGb: { usd: 0.1, unit: 'GB read', source: FEED('kinesis'), sourceDate: FEED_DATE.kinesis, note: '"OnDemandEFODataRetrieval per GB"' },
  },
  lambda: {
    requests: { usd: 0.2, unit: 'million requests', source: FEED('lambda'), sourceDate: FEED_DATE.lambda, note: '"Lambda Requests-ARM" 0.0000002 each' },
    /** First tier (up to 7.5 billion GB-seconds a month) of arm64 duration. */
    arm64GbSecond: { usd: 0.0000133334, unit: 'GB-second (arm64)', source: FEED('lambda'), sourceDate: FEED_DATE.lambda, note: '"Lambda Duration-ARM"' },
  },
  dynamodb: {
    /** On-demand, after the November 2024 price reduction; one WRU writes up to 1 KB. */
    writeRequestUnits: { usd: 0.9375, unit: 'million write request units', source: FEED('dynamodb'), sourceDate: FEED_DATE.dynamodb, note: '"PayPerRequest Write Request Units" 0.0000009375 each' },
    /** One RRU is a strongly consistent read of up to 4 KB. */
    readRequestUnits: { usd: 0.1875, unit: 'million read request units', source: FEED('dynamodb'), sourceDate: FEED_DATE.dynamodb, note: '"PayPerRequest Read Request Units" 0.0000001875 each' },
    /** Table data and the copies global secondary indexes keep. */
    storageGbMonth: { usd: 0.375, unit: 'GB-month (Standard table class)', source: FEED('dynamodb'), sourceDate: FEED_DATE.dynamodb, note: '"Data Storage Indexed GB-Mo"' },
    /**
     * Point-in-time recovery (continuous backups), which every table of the platform turns on (charts/constructs/EncryptedTable.ts).
     * Billed on the size of each table with it on, table data and local secondary indexes but not global secondary indexes, whatever
     * the recovery period (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html, read 2026-12-03).
     */
    pitrGbMonth: { usd: 0.3, unit: 'GB-month of table size (PITR)', source: FEED('dynamodb'), sourceDate: FEED_DATE.dynamodb, note: '"PITR Backup Storage GB-Mo" (read 2026-12-03 in the same snapshot)' },
  },
  firehose: {
    /** Kinesis Data Streams or Direct PUT source: each record rounded up to 5 KB; first 500 TB a month. */
    ingestedGb: { usd: 0.041, unit: 'GB ingested (5 KB records)', source: PAGES.firehose, unsure: true, note: `${NO_SOURCE} (the snapshot has no Firehose feed)` },
  },
  s3: {
    standardGbMonth: { usd: 0.0405, unit: 'GB-month Standard (first 50 TB)', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Standard Storage First 50 TB per GB Mo"' },
    standardIaGbMonth: { usd: 0.0221, unit: 'GB-month Standard-IA', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Standard Infrequent Access Storage per GB-Mo"' },
    glacierIrGbMonth: { usd: 0.0083, unit: 'GB-month Glacier Instant Retrieval', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Glacier Instant Retrieval Storage"' },
    deepArchiveGbMonth: {
      usd: 0.0032,
      unit: 'GB-month Glacier Deep Archive',
      source: FEED('s3'),
      sourceDate: FEED_DATE.s3,
      unsure: true,
      note: 'read off "IntelligentTieringDeepArchiveAccess" (0.0032); the feed has no named Deep Archive storage-class row, and that tier is priced like Deep Archive elsewhere (us-east-1 0.00099 both)',
    },
    putRequests: { usd: 0.007, unit: 'thousand PUT requests (Standard)', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"PUT COPY/POST or LIST requests per Requests" 0.000007 each' },
    transitionToIa: { usd: 0.01, unit: 'thousand transitions to Standard-IA', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Lifecycle Transition Requests into Standard Infrequent Access" 0.00001 each' },
    transitionToGlacierIr: { usd: 0.02, unit: 'thousand transitions to Glacier IR', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Lifecycle Transition Requests into Glacier Instant Retrieval" 0.00002 each' },
    transitionToDeepArchive: { usd: 0.1, unit: 'thousand transitions to Deep Archive', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Lifecycle Transition Requests into Glacier Deep Archive" 0.0001 each' },
    /** Reading an object back (docs/operations.md, restoring the archive). */
    glacierIrRetrievalGb: { usd: 0.03, unit: 'GB retrieved from Glacier IR', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Object Retrieval in Glacier Instant Retrieval per GB"' },
    deepArchiveStandardRestoreGb: { usd: 0.028, unit: 'GB restored from Deep Archive (Standard, 12 h)', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Fee for Standard Retrieval of data stored from Glacier Deep Archive"' },
    deepArchiveBulkRestoreGb: { usd: 0.008, unit: 'GB restored from Deep Archive (Bulk, 48 h)', source: FEED('s3'), sourceDate: FEED_DATE.s3, note: '"Fee for Bulk Retrieval of data stored from Glacier Deep Archive"' },
  },
  cloudwatch: {
    /** First 10,000 metrics; Kinesis shard-level metrics are billed as custom metrics. */
    customMetricMonth: { usd: 0.3, unit: 'metric-month', source: FEED('cloudwatch'), sourceDate: FEED_DATE.cloudwatch, note: '"Metric for the first 10000"' },
    /** Standard resolution; metric math and Metrics Insights alarms pay per metric they read. */
    alarmMetricMonth: { usd: 0.135, unit: 'alarm metric-month', source: FEED('cloudwatch'), sourceDate: FEED_DATE.cloudwatch, note: '"Alarm Standard" and "Metrics Insights Alarms Standard", both 0.135' },
    logsIngestedGb: { usd: 0.9, unit: 'GB of logs ingested (standard class)', source: FEED('cloudwatch'), sourceDate: FEED_DATE.cloudwatch, note: '"Logs Collected Data Ingestion"' },
    logsStoredGbMonth: { usd: 0.0408, unit: 'GB-month of logs stored (compressed)', source: FEED('cloudwatch'), sourceDate: FEED_DATE.cloudwatch, note: '"Stored Data"' },
    dashboardMonth: { usd: 3, unit: 'dashboard-month', source: FEED('cloudwatch'), sourceDate: FEED_DATE.cloudwatch, note: '"Dashboard Basic Dashboard", region "Any" (one price in every region)' },
  },
  kms: {
    keyMonth: { usd: 1, unit: 'customer managed key-month', source: FEED('kms'), sourceDate: FEED_DATE.kms, note: '"Encryption Key"' },
    requests: { usd: 0.03, unit: 'ten thousand requests', source: FEED('kms'), sourceDate: FEED_DATE.kms, note: '"API request - Non Free Tier" 0.000003 each' },
  },
  sns: {
    publishes: { usd: 0.5, unit: 'million publishes (64 KB chunks)', source: FEED('sns'), sourceDate: FEED_DATE.sns, note: '"Amazon SNS API Requests" 0.0000005 each' },
    emailNotifications: { usd: 2, unit: 'hundred thousand e-mail notifications', source: FEED('sns'), sourceDate: FEED_DATE.sns, note: '"SNS Email and Email JSON Notifications" 0.00002 each (the first 1,000 a month are free)' },
  },
  sqs: {
    requests: { usd: 0.4, unit: 'million requests (standard queue)', source: QUOTED.sqs, sourceDate: '2025-08-28' },
  },
  vpc: {
    interfaceEndpointHour: { usd: 0.021, unit: 'endpoint-hour per availability zone', source: FEED('vpc'), sourceDate: FEED_DATE.vpc, note: '"Hourly charge for VPC Endpoints per Hrs"' },
    interfaceEndpointGb: { usd: 0.01, unit: 'GB processed', source: FEED('vpc'), sourceDate: FEED_DATE.vpc, note: '"Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576" (first PB)' },
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
