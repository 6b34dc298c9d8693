/**
 * Reads the hot tier of one environment (`npm run query`): one sensor, every sensor of an asset, or one
 * metric of every asset of a line, over [from, to), rolled up to a step with exact aggregates over the
 * readings that are not BAD, or raw; or (`--line` alone) the line's assets with their status. The same
 * code as the query function (functions/shared/query), with real SDK calls.
 *
 *   npm run --silent query -- --env prod --asset pump-07 --metric temperature --from -6h --step 5m --agg avg,max
 *   npm run --silent query -- --env prod --asset pump-07 --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z --step 1h --format csv
 *   npm run --silent query -- --env prod --line line-a
 *
 * Output on stdout (table, csv or json); one summary line on stderr (series, points, DynamoDB items read,
 * time); `--plot out.svg` also draws the series (a relative path is from the folder `npm run` was started in). Exit 0; 2 for a bad flag, range, step, line (not in the
 * config) or unknown sensor (one line naming the flag), every flag checked before anything is read; 1
 * when AWS refused or failed. Region, table names and lines come from config/<env>.yaml; credentials from
 * the default chain (the operator policy `iam-query-operator-<suffix>` grants exactly this); `--local`
 * reads the environment's local pipeline (`npm run local`) instead, and `AWS_ENDPOINT_URL_DYNAMODB`
 * points it at any other endpoint.
 */
import './lib/quietSdkNodeWarning';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { QueryInputError } from '../functions/shared/errors';
import { AssetDirectory } from '../functions/shared/query/AssetDirectory';
import { QueryService } from '../functions/shared/query/QueryService';
import { SeriesReader } from '../functions/shared/query/SeriesReader';
import { parseQueryArgs, QUERY_USAGE, SERIES_FLAGS } from './lib/queryArgs';
import { formatQueryResult } from './lib/queryOutput';
import { planQuery } from './lib/planQuery';
import { runQuery } from './lib/runQuery';
import { queryTargets } from './lib/queryTargets';
import { hotTierNote } from './lib/hotTierNote';
import { plotSeriesSvg } from './lib/plotSeriesSvg';
import { readLocalEndpoints } from './lib/readLocalEndpoints';
import { LOCAL_CREDENTIALS } from './lib/local/constants';
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { missingCredentialsHint } from './lib/missingCredentialsHint';
import { resolveUserPath } from './lib/resolveUserPath';
import { errorSummary } from '../functions/shared/errorSummary';

const REPOSITORY = resolve(__dirname, '..');

/** AWS in the environment's region, or the emulators of its local pipeline (which take any credentials). */
function clientConfig(environment: string, region: string, local: boolean): DynamoDBClientConfig {
  if (!local) return { region };
  try {
    return { region, endpoint: readLocalEndpoints(environment, REPOSITORY).dynamodb, credentials: LOCAL_CREDENTIALS };
  } catch (error) {
    throw new QueryInputError('--local', (error as Error).message);
  }
}

async function main(): Promise<number> {
  exitQuietlyOnClosedPipe();
  const options = parseQueryArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${QUERY_USAGE}\n`);
    return 0;
  }
  const targets = queryTargets(options.environment);
  const startedAt = Date.now();
  const plan = planQuery(options, targets, startedAt);
  const dynamodb = new DynamoDBClient(clientConfig(options.environment, targets.region, options.local));
  try {
    const service = new QueryService({
      reader: new SeriesReader({ dynamodb, tableName: targets.readingsTable }),
      directory: new AssetDirectory({ dynamodb, tableName: targets.assetStatusTable }),
      plantId: targets.plantId,
      label: (parameter) => SERIES_FLAGS[parameter],
    });
    const result = await runQuery(plan, service);
    process.stdout.write(formatQueryResult(result, options.format, plan));
    if (result.kind === 'series') {
      const points = result.series.reduce((sum, series) => sum + series.points.length, 0);
      const items = result.series.reduce((sum, series) => sum + series.itemsRead, 0);
      const units = result.series.reduce((sum, series) => sum + series.capacityUnits, 0);
      process.stderr.write(`query: ${result.series.length} series, ${points} points, ${items} DynamoDB items read (${units} read units), ${Date.now() - startedAt} ms\n`);
      const note = hotTierNote(plan, targets, startedAt);
      if (note !== undefined) process.stderr.write(`${note}\n`);
      if (options.plotPath !== undefined) {
        // Nothing to draw (a line whose assets have not reported yet): say so rather than write an empty chart.
        if (result.series.length === 0) process.stderr.write(`query: no series to plot; ${options.plotPath} not written\n`);
        else writeFileSync(resolveUserPath(options.plotPath), plotSeriesSvg(result.series));
      }
    }
    return 0;
  } finally {
    dynamodb.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const hint = missingCredentialsHint(error, 'iam-query-operator-<suffix>', 'add --local to query the local pipeline');
    const message = hint ?? (error instanceof QueryInputError ? error.message : errorSummary(error));
    process.stderr.write(`query: ${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof QueryInputError ? 2 : 1;
  },
);
