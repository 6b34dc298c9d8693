/**
 * Evaluates a rendered ACK MetricAlarm over a scenario of per-period metric values, as CloudWatch
 * does: metric math (the subset the charts use: numbers, ids, + - * /, comparisons, AND, OR, IF,
 * FILL, MAX of a list; a Metrics Insights query of one metric reads as that metric) per period, a missing single-metric datapoint treated by `treatMissingData`,
 * and ALARM when `datapointsToAlarm` of the last `evaluationPeriods` breach. A scenario gives each
 * metric (by metric name) a value per period, `undefined` where nothing was published.
 */

export interface AlarmUnderTest {
  readonly comparisonOperator: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
  readonly metricName?: string;
  readonly metrics?: readonly { readonly id: string; readonly expression?: string; readonly returnData: boolean; readonly metricStat?: { readonly metric: { readonly metricName: string } } }[];
}

/** Values per metric name, one per period, oldest first; undefined = no datapoint. */
export type Scenario = Readonly<Record<string, readonly (number | undefined)[]>>;

export type AlarmState = 'OK' | 'ALARM';

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

/** A Metrics Insights query of one metric (`SELECT SUM(Failure) FROM "AWS/IoT" WHERE ...`): its value is that metric's. */
const METRICS_INSIGHTS = /^SELECT [A-Z]+\(([A-Za-z0-9_.]+)\) FROM /;

const OPERATORS: Readonly<Record<string, (value: number, threshold: number) => boolean>> = {
  GreaterThanThreshold: (value, threshold) => value > threshold,
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

/** The alarm's value in each period of the scenario (undefined = no datapoint). */
export function alarmSeries(alarm: AlarmUnderTest, scenario: Scenario, periods: number): (number | undefined)[] {
  const series = (metricName: string): readonly (number | undefined)[] => scenario[metricName] ?? [];
  return Array.from({ length: periods }, (_, period) => {
    if (alarm.metricName !== undefined) return series(alarm.metricName)[period];
    const values: Record<string, number | undefined> = {};
    let result: number | undefined;
    for (const query of alarm.metrics ?? []) {
      const insights = METRICS_INSIGHTS.exec(query.expression ?? '');
      values[query.id] = query.metricStat
        ? series(query.metricStat.metric.metricName)[period]
        : insights
          ? series(insights[1])[period]
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
