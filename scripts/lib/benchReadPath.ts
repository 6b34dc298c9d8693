import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AGGREGATES } from '../../functions/shared/query/constants';
import { SeriesReader } from '../../functions/shared/query/SeriesReader';
import { QueryService } from '../../functions/shared/query/QueryService';
import { AssetDirectory } from '../../functions/shared/query/AssetDirectory';
import { CREDENTIALS, REGION } from '../../test/helpers/emulators';
import { realStorer } from '../../test/helpers/realStorer';
import { telemetry } from '../../test/helpers/records';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface ReadPathFigures {
  readonly itemsRead: number;
  /** Read capacity units DynamoDB (dynalite) reported for one read: whole items, whatever the projection. */
  readonly capacityUnits: number;
  readonly points: number;
  readonly runsMs: readonly number[];
}

/**
 * The read path's figure: a day of one sensor at 1 Hz (1,440 minute buckets written by the storer's own
 * classes), read back rolled up to 5 minutes with every aggregate, `runs` times; the query service and
 * reader are the ones the query function and `npm run query` use, with a real SDK client.
 */
export async function benchReadPath(endpoint: string, readingsTable: string, runs: number): Promise<ReadPathFigures> {
  const dynamodb = new DynamoDBClient({ region: REGION, endpoint, credentials: CREDENTIALS });
  const from = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
  const storer = realStorer(dynamodb, readingsTable, from + 2 * DAY_MS);
  const minutes = Array.from({ length: 24 * 60 }, (_, minute) =>
    telemetry({
      assetId: 'bench-read',
      receivedAt: from + minute * MINUTE_MS,
      readings: Array.from({ length: 60 }, (_, second) => ({ metric: 'temperature', value: 60 + Math.sin((minute * 60 + second) / 600), ts: from + minute * MINUTE_MS + second * 1000 })),
    }),
  );
  for (let start = 0; start < minutes.length; start += 240) await storer.store(minutes.slice(start, start + 240));
  const service = new QueryService({
    reader: new SeriesReader({ dynamodb, tableName: readingsTable }),
    directory: new AssetDirectory({ dynamodb, tableName: readingsTable }),
    plantId: 'bench',
  });
  const runsMs: number[] = [];
  let itemsRead = 0;
  let capacityUnits = 0;
  let points = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = process.hrtime.bigint();
    const result = await service.series({ assetId: 'bench-read', metric: 'temperature', from, to: from + DAY_MS, step: '5m', aggregates: AGGREGATES });
    runsMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    itemsRead = result.itemsRead;
    capacityUnits = result.capacityUnits;
    points = result.points.length;
  }
  dynamodb.destroy();
  return { itemsRead, capacityUnits, points, runsMs };
}
