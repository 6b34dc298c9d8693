import { hotTierStart } from '../../functions/shared/query/hotTierStart';
import type { QueryPlan } from './planQuery';
import type { QueryTargets } from './queryTargets';

const iso = (t: number): string => new Date(t).toISOString();

/**
 * The line `npm run query` adds on stderr when the range reaches back before the hot tier's start
 * (retention.hotDays before the run): the table may no longer hold those readings, so a series that
 * thins out or is empty there says nothing about the sensor; the archive holds them. Undefined otherwise.
 */
export function hotTierNote(plan: QueryPlan, targets: Pick<QueryTargets, 'environment' | 'hotDays' | 'athenaWorkgroup' | 'glueDatabase'>, now: number): string | undefined {
  if (plan.kind === 'line-assets') return undefined;
  const from = plan.kind === 'line-series' ? plan.range.from : plan.query.from;
  const start = hotTierStart(now, targets.hotDays);
  if (from >= start) return undefined;
  return (
    `query: --from ${iso(from)} is before the hot tier's start ${iso(start)} (retention.hotDays ${targets.hotDays} in config/${targets.environment}.yaml): ` +
    'readings before it may have expired, so the series can thin out or stop there; ' +
    `they are in the archive: Athena workgroup ${targets.athenaWorkgroup}, database ${targets.glueDatabase} (docs/queries.md, "The archive: Athena")`
  );
}
