import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYTICS_QUERIES, DAY_PARAMETER, SAME_DAY_PARAMETER } from '../../charts/analytics';
import { DYNAMODB_CLIENT, HTTP_STATUS, ROUTE_PARAMETERS, ROUTES } from '../../functions/query/constants';
import { parseSeriesQuery } from '../../functions/shared/query/parseSeriesQuery';
import { parseQueryArgs } from '../../scripts/lib/queryArgs';

const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'queries.md'), 'utf8');

interface InfinityTarget {
  readonly url?: string;
  readonly url_options?: { readonly method: string; readonly params: readonly { key: string; value: string }[] };
}

describe('docs/queries.md', () => {
  const dashboard = JSON.parse(/```json\n([^]*?)\n```/.exec(guide)?.[1] ?? 'null') as {
    templating: { list: { name: string; type: string; query?: string }[] };
    panels: { title: string; targets: InfinityTarget[]; datasource: { type: string; uid: string } }[];
  };

  it('the example dashboard names its data sources by datasource variables, which import as it is', () => {
    // A data source added in Grafana's UI gets a uid Grafana makes up: a fixed uid would match nothing.
    const variables = new Map(dashboard.templating.list.filter((variable) => variable.type === 'datasource').map((variable) => [variable.name, variable.query]));
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      const name = /^\$\{(\w+)\}$/.exec(panel.datasource.uid)?.[1];
      expect([panel.title, name !== undefined && variables.get(name) === panel.datasource.type]).toEqual([panel.title, true]);
    }
    expect([...variables.values()].sort()).toEqual(['grafana-athena-datasource', 'yesoreyeram-infinity-datasource']);
  });

  it('the example dashboard calls only the function\'s routes, with GET and parameters the route takes', () => {
    const targets = dashboard.panels.filter((panel) => panel.datasource.type === 'yesoreyeram-infinity-datasource').flatMap((panel) => panel.targets);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      const route = target.url as (typeof ROUTES)[keyof typeof ROUTES];
      expect(Object.values(ROUTES)).toContain(route);
      expect(target.url_options?.method).toBe('GET');
      for (const { key } of target.url_options?.params ?? []) expect(ROUTE_PARAMETERS[route]).toContain(key);
    }
  });

  it('the function\'s section lists the statuses it answers, and the URL\'s 502 for a failure with the client\'s attempts', () => {
    const http = /## The query function \(HTTP\)\n([^]*?)\n## /.exec(guide)?.[1] ?? '';
    const statuses = new Set([...http.matchAll(/^(\d{3}) /gm)].map((match) => Number(match[1])));
    expect([...statuses].sort()).toEqual([...Object.values(HTTP_STATUS), 502].sort());
    const attempts = ['one', 'two', 'three', 'four', 'five'][DYNAMODB_CLIENT.maxAttempts - 1];
    expect(http.replace(/\s+/g, ' ')).toContain(`the SDK's ${attempts} attempts (each cut off after ${DYNAMODB_CLIENT.attemptTimeoutMs / 1000} s, \`DYNAMODB_CLIENT\``);
  });

  it('every npm run query example is a valid command line', () => {
    const examples = [...guide.matchAll(/^npm run --silent query -- (.+)$/gm)].map((match) => (match[1] ?? '').split(/\s+/));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const args of examples) {
      const options = parseQueryArgs(args);
      expect(options).not.toBe('help');
      if (options !== 'help' && options.target.kind === 'asset' && options.series.metric !== undefined) {
        expect(() => parseSeriesQuery(options.series, { now: Date.UTC(2026, 0, 2), allowRelative: true })).not.toThrow();
      }
    }
  });

  it('names every named query the chart renders', () => {
    for (const query of ANALYTICS_QUERIES) expect(guide).toContain(`\`${query.id}\``);
  });

  it('gives each named query as many days as it takes, in the table and in the example', () => {
    const days = (id: string): number => ANALYTICS_QUERIES.find((query) => query.id === id)?.parameters.filter((parameter) => parameter === DAY_PARAMETER || parameter === SAME_DAY_PARAMETER).length ?? 0;
    for (const query of ANALYTICS_QUERIES) {
      const row = new RegExp(`^  \\| \`${query.id}\` \\| the day \\(\`'YYYY-MM-DD'\`\\) (\\d+) times`, 'm').exec(guide);
      expect([query.id, Number(row?.[1])]).toEqual([query.id, days(query.id)]);
    }
    const example = /DAY="'\d{4}-\d{2}-\d{2}'"\n[^]*?--execution-parameters (.+)\n/.exec(guide);
    const parameters = (example?.[1] ?? '').split(' ');
    expect(parameters).toEqual([...Array<string>(days('hourly-sensor-aggregates')).fill('$DAY'), "\"'pump-07'\"", "\"'temperature'\""]);
    expect(ANALYTICS_QUERIES.find((query) => query.id === 'hourly-sensor-aggregates')?.parameters.slice(-2)).toEqual(['assetId', 'metric']);
  });
});
