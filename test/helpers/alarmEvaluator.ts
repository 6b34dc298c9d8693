/**
 * Evaluates a rendered ACK MetricAlarm over a scenario of per-period metric values, as CloudWatch
 * does: metric math (the subset the charts use: numbers, ids, + - * /, comparisons, AND, OR, IF,
 * FILL, MAX of a list) per period, a Metrics Insights query (one aggregate of one metric, filtered by
 * dimension values) over every metric it selects, a missing single-metric datapoint treated by
 * `treatMissingData`, and ALARM when `datapointsToAlarm` of the last `evaluationPeriods` breach.
 *
 * A scenario keys each metric as CloudWatch identifies it, by name and its full dimension set
 * (`metricKey`): a datapoint published with {StreamName, ShardId} is another metric than one with
 * {StreamName}, and never reaches an alarm on the latter. The namespace is left out of the key: a scenario
 * is one environment's, and there no two alarm inputs share a name and dimension set across namespaces.
 */

export interface MetricDimension {
  readonly name: string;
  readonly value: string;
}

export interface AlarmUnderTest {
  readonly name?: string;
  readonly comparisonOperator: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
  readonly metricName?: string;
  readonly dimensions?: readonly MetricDimension[];
  readonly metrics?: readonly {
    readonly id: string;
    readonly expression?: string;
    readonly returnData: boolean;
    readonly metricStat?: { readonly metric: { readonly metricName: string; readonly dimensions?: readonly MetricDimension[] } };
  }[];
}

/** Values per metric key (`metricKey`), one per period, oldest first; undefined = no datapoint. */
export type Scenario = Readonly<Record<string, readonly (number | undefined)[]>>;

export type AlarmState = 'OK' | 'ALARM';

/** Characters that would make a key ambiguous to read back. */
const KEY_SYNTAX = /[{}=,]/;

/** `MetricName{dim=value,...}`: the metric's full dimension set, sorted by name (none: `MetricName{}`). */
export function metricKey(metricName: string, dimensions: Readonly<Record<string, string>> | readonly MetricDimension[] = []): string {
  const pairs: [string, string][] = Array.isArray(dimensions)
    ? (dimensions as readonly MetricDimension[]).map((dimension) => [dimension.name, dimension.value])
    : Object.entries(dimensions);
  for (const part of [metricName, ...pairs.flat()]) {
    if (part === '' || KEY_SYNTAX.test(part)) throw new Error(`alarmEvaluator: metric names and dimensions must be non-empty and free of { } = , to key a metric, got "${part}"`);
  }
  const sorted = [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  sorted.forEach(([name], index) => {
    if (index > 0 && sorted[index - 1][0] === name) throw new Error(`alarmEvaluator: dimension ${name} given twice for ${metricName}`);
  });
  return `${metricName}{${sorted.map(([name, value]) => `${name}=${value}`).join(',')}}`;
}

interface KeyedMetric {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Reads a scenario key back; a key that is not exactly what `metricKey` renders would match nothing, so it throws. */
function parseKey(key: string): KeyedMetric {
  const match = /^([^{}=,]+)\{([^{}]*)\}$/.exec(key);
  const pairs = match && match[2] !== '' ? match[2].split(',').map((pair) => pair.split('=')) : [];
  if (!match || pairs.some((pair) => pair.length !== 2)) throw new Error(`alarmEvaluator: scenario key "${key}" is not MetricName{dimension=value,...}`);
  const dimensions = Object.fromEntries(pairs);
  const canonical = metricKey(match[1], dimensions);
  if (canonical !== key) throw new Error(`alarmEvaluator: scenario key "${key}" must list its dimensions once each, sorted by name: "${canonical}"`);
  return { metricName: match[1], dimensions };
}

type Value = number | undefined | readonly (number | undefined)[];

/** Evaluates a metric math expression with the ids' values of one period. */
export function evaluateExpression(expression: string, values: Readonly<Record<string, number | undefined>>): number | undefined {
  const tokens = expression.match(/\s*(>=|<=|==|!=|[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|[()[\],+\-*/<>])/g)?.map((token) => token.trim()) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`alarmEvaluator: cannot tokenize ${expression}`);
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`alarmEvaluator: expected ${expected ?? 'a token'} at ${position} in ${expression}`);
    return token;
  };
  const scalar = (value: Value): number | undefined => {
    if (Array.isArray(value)) throw new Error(`alarmEvaluator: a list where a number belongs in ${expression}`);
    return value as number | undefined;
  };
  const binary = (left: Value, right: Value, apply: (a: number, b: number) => number): number | undefined => {
    const a = scalar(left);
    const b = scalar(right);
    return a === undefined || b === undefined ? undefined : apply(a, b);
  };
  const primary = (): Value => {
    const token = take();
    if (/^[0-9]/.test(token)) return Number(token);
    if (token === '(') {
      const value = orExpression();
      take(')');
      return value;
    }
    if (token === '[') {
      const items: (number | undefined)[] = [scalar(orExpression())];
      while (peek() === ',') {
        take(',');
        items.push(scalar(orExpression()));
      }
      take(']');
      return items;
    }
    if (peek() === '(') {
      take('(');
      const args: Value[] = [orExpression()];
      while (peek() === ',') {
        take(',');
        args.push(orExpression());
      }
      take(')');
      switch (token) {
        case 'FILL':
          return scalar(args[0]) ?? scalar(args[1]);
        case 'IF': {
          const condition = scalar(args[0]);
          return condition === undefined ? undefined : condition !== 0 ? scalar(args[1]) : scalar(args[2]);
        }
        case 'MAX': {
          const present = (args[0] as readonly (number | undefined)[]).filter((value): value is number => value !== undefined);
          return present.length === 0 ? undefined : Math.max(...present);
        }
        default:
          throw new Error(`alarmEvaluator: function ${token} not supported`);
      }
    }
    if (!(token in values)) throw new Error(`alarmEvaluator: unknown id ${token} in ${expression}`);
    return values[token];
  };
  const product = (): Value => {
    let value = primary();
    while (peek() === '*' || peek() === '/') value = take() === '*' ? binary(value, primary(), (a, b) => a * b) : binary(value, primary(), (a, b) => a / b);
    return value;
  };
  const sum = (): Value => {
    let value = product();
    while (peek() === '+' || peek() === '-') value = take() === '+' ? binary(value, product(), (a, b) => a + b) : binary(value, product(), (a, b) => a - b);
    return value;
  };
  const comparisons: Readonly<Record<string, (a: number, b: number) => boolean>> = {
    '>': (a, b) => a > b,
    '<': (a, b) => a < b,
    '>=': (a, b) => a >= b,
    '<=': (a, b) => a <= b,
    '==': (a, b) => a === b,
    '!=': (a, b) => a !== b,
  };
  const comparison = (): Value => {
    let value = sum();
    while (peek() !== undefined && peek()! in comparisons) {
      const compare = comparisons[take()];
      value = binary(value, sum(), (a, b) => (compare(a, b) ? 1 : 0));
    }
    return value;
  };
  const andExpression = (): Value => {
    let value = comparison();
    while (peek() === 'AND') {
      take();
      value = binary(value, comparison(), (a, b) => (a !== 0 && b !== 0 ? 1 : 0));
    }
    return value;
  };
  function orExpression(): Value {
    let value = andExpression();
    while (peek() === 'OR') {
      take();
      value = binary(value, andExpression(), (a, b) => (a !== 0 || b !== 0 ? 1 : 0));
    }
    return value;
  }
  const result = scalar(orExpression());
  if (position !== tokens.length) throw new Error(`alarmEvaluator: trailing tokens in ${expression}`);
  return result;
}

/**
 * A Metrics Insights query of one aggregate of one metric: `SELECT SUM(Failure) FROM "AWS/IoT" WHERE RuleName = '...'`.
 * Without SCHEMA(...) it selects every dimension set that carries the WHERE values, and aggregates them. As
 * CloudWatch reads it, a metric name of letters, digits and underscores may stand bare; any other (`PublishIn.AuthError`)
 * must be in double quotes, and a bare one with a dot is refused.
 */
const METRICS_INSIGHTS = /^SELECT ([A-Z]+)\(([A-Za-z0-9_]+|"[^"]+")\) FROM "[^"]+"((?: WHERE [A-Za-z0-9_]+ = '[^']*'(?: AND [A-Za-z0-9_]+ = '[^']*')*)?)$/;

const INSIGHTS_AGGREGATES: Readonly<Record<string, (values: readonly number[]) => number>> = {
  SUM: (values) => values.reduce((total, value) => total + value, 0),
  MAX: (values) => Math.max(...values),
  MIN: (values) => Math.min(...values),
};

const OPERATORS: Readonly<Record<string, (value: number, threshold: number) => boolean>> = {
  GreaterThanThreshold: (value, threshold) => value > threshold,
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

interface InsightsQuery {
  readonly aggregate: (values: readonly number[]) => number;
  readonly metricName: string;
  readonly where: Readonly<Record<string, string>>;
}

function insightsQuery(expression: string): InsightsQuery | undefined {
  if (!expression.startsWith('SELECT ')) return undefined;
  const match = METRICS_INSIGHTS.exec(expression);
  if (!match) throw new Error(`alarmEvaluator: Metrics Insights query not supported: ${expression}`);
  const aggregate = INSIGHTS_AGGREGATES[match[1]];
  if (!aggregate) throw new Error(`alarmEvaluator: Metrics Insights aggregate ${match[1]} not supported in ${expression}`);
  const where = Object.fromEntries([...match[3].matchAll(/ (?:WHERE|AND) ([A-Za-z0-9_]+) = '([^']*)'/g)].map((filter) => [filter[1], filter[2]]));
  return { aggregate, metricName: match[2].replace(/^"(.*)"$/, '$1'), where };
}

/** The alarm's value in each period of the scenario (undefined = no datapoint). */
export function alarmSeries(alarm: AlarmUnderTest, scenario: Scenario, periods: number): (number | undefined)[] {
  const keyed = Object.entries(scenario).map(([key, values]) => ({ key, ...parseKey(key), values }));
  const queries = (alarm.metrics ?? []).map((query) => ({ query, insights: query.metricStat ? undefined : insightsQuery(query.expression ?? '') }));
  // Data under a name the alarm never reads is a mistake in the scenario (a misspelt metric), not silence.
  const read = new Set([
    ...(alarm.metricName !== undefined ? [alarm.metricName] : []),
    ...queries.map(({ query, insights }) => query.metricStat?.metric.metricName ?? insights?.metricName).filter((name): name is string => name !== undefined),
  ]);
  for (const { key, metricName } of keyed) {
    if (!read.has(metricName)) throw new Error(`alarmEvaluator: scenario metric ${key} is not read by alarm ${alarm.name ?? '(unnamed)'}, which reads ${[...read].sort().join(', ')}`);
  }
  const series = (metricName: string, dimensions: readonly MetricDimension[] = []): readonly (number | undefined)[] => scenario[metricKey(metricName, dimensions)] ?? [];
  const selected = (insights: InsightsQuery, period: number): number | undefined => {
    const present = keyed
      .filter(({ metricName, dimensions }) => metricName === insights.metricName && Object.entries(insights.where).every(([name, value]) => dimensions[name] === value))
      .map(({ values }) => values[period])
      .filter((value): value is number => value !== undefined);
    return present.length === 0 ? undefined : insights.aggregate(present);
  };
  return Array.from({ length: periods }, (_, period) => {
    if (alarm.metricName !== undefined) return series(alarm.metricName, alarm.dimensions)[period];
    const values: Record<string, number | undefined> = {};
    let result: number | undefined;
    for (const { query, insights } of queries) {
      values[query.id] = query.metricStat
        ? series(query.metricStat.metric.metricName, query.metricStat.metric.dimensions)[period]
        : insights
          ? selected(insights, period)
          : evaluateExpression(query.expression ?? '', values);
      if (query.returnData) result = values[query.id];
    }
    return result;
  });
}

/** The alarm's state after the last period of the scenario. */
export function alarmState(alarm: AlarmUnderTest, scenario: Scenario, periods: number): AlarmState {
  const compare = OPERATORS[alarm.comparisonOperator];
  if (!compare) throw new Error(`alarmEvaluator: comparison ${alarm.comparisonOperator} not supported`);
  const window = alarmSeries(alarm, scenario, periods).slice(-alarm.evaluationPeriods);
  const breaching = window.filter((value) => (value === undefined ? alarm.treatMissingData === 'breaching' : compare(value, alarm.threshold))).length;
  return breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
}
