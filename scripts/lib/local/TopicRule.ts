import { randomUUID } from 'node:crypto';
import type { TopicRuleSpec } from './LocalManifests';

/** What the rule engine knows about a message besides its payload. */
export interface RuleContext {
  /** The topic the rule sees (for Basic Ingest: without the `$aws/rules/<rule>/` prefix). */
  readonly topic: string;
  readonly clientId: string;
  /** Epoch ms at which the broker received the message. */
  readonly timestamp: number;
}

/** One expression of the select list or of a substitution template. */
type Expression =
  | { readonly type: 'topic'; readonly level: number | undefined }
  | { readonly type: 'clientid' }
  | { readonly type: 'timestamp' }
  | { readonly type: 'newuuid' }
  | { readonly type: 'parse_time'; readonly format: string; readonly of: Expression }
  | { readonly type: 'literal'; readonly value: string | number }
  | { readonly type: 'field'; readonly path: readonly string[] };

type SelectItem = { readonly type: 'all' } | { readonly type: 'as'; readonly expression: Expression; readonly name: string };

export type RuleOutcome =
  | { readonly kind: 'no-match' }
  /** The payload is not JSON: AWS counts a ParseError and runs no action and no error action. */
  | { readonly kind: 'parse-error'; readonly detail: string }
  /** `payload` is the message as published: what the actions' substitution templates read. */
  | { readonly kind: 'result'; readonly result: Record<string, unknown>; readonly payload: Record<string, unknown> };

/** Splits at top-level commas (not inside quotes or parentheses). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

function parseExpression(text: string, rule: string): Expression {
  const source = text.trim();
  let match: RegExpExecArray | null;
  if ((match = /^topic\(\s*(\d*)\s*\)$/i.exec(source))) return { type: 'topic', level: match[1] ? Number(match[1]) : undefined };
  if (/^clientid\(\s*\)$/i.test(source)) return { type: 'clientid' };
  if (/^timestamp\(\s*\)$/i.test(source)) return { type: 'timestamp' };
  if (/^newuuid\(\s*\)$/i.test(source)) return { type: 'newuuid' };
  if ((match = /^parse_time\(\s*(['"])(.*?)\1\s*,(.*)\)$/i.exec(source))) {
    return { type: 'parse_time', format: match[2] ?? '', of: parseExpression(match[3] ?? '', rule) };
  }
  if ((match = /^'([^']*)'$/.exec(source))) return { type: 'literal', value: match[1] ?? '' };
  if (/^-?\d+(\.\d+)?$/.test(source)) return { type: 'literal', value: Number(source) };
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(source)) return { type: 'field', path: source.split('.') };
  throw new Error(`rule ${rule}: the local rule engine does not support the expression "${source}"`);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Joda-style patterns of parse_time (UTC): yyyy, MM, dd, HH, mm, ss, SSS. */
function formatTime(format: string, epochMs: number): string {
  const d = new Date(epochMs);
  return format
    .replace(/yyyy/g, String(d.getUTCFullYear()))
    .replace(/MM/g, pad(d.getUTCMonth() + 1))
    .replace(/dd/g, pad(d.getUTCDate()))
    .replace(/HH/g, pad(d.getUTCHours()))
    .replace(/mm/g, pad(d.getUTCMinutes()))
    .replace(/ss/g, pad(d.getUTCSeconds()))
    .replace(/SSS/g, pad(d.getUTCMilliseconds(), 3));
}

/** MQTT topic filter match: `+` one level, `#` the rest. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * One rendered IoT topic rule: the SQL this project renders (`SELECT *, topic(n) AS a, clientid() AS b,
 * timestamp() AS c, 'text' AS d, field AS e FROM '<filter>'`, no WHERE) and the substitution templates of its
 * actions (`${field}`, `${newuuid()}`, `${timestamp()}`, `${topic(n)}`, `${clientid()}`,
 * `${parse_time("fmt", timestamp())}`). Anything else is refused when the pipeline starts, naming the rule,
 * so a rendered rule the local engine cannot run is never silently approximated.
 */
export class TopicRule {
  readonly name: string;
  readonly filter: string;
  readonly spec: TopicRuleSpec;
  readonly #select: readonly SelectItem[];

  constructor(spec: TopicRuleSpec) {
    this.spec = spec;
    this.name = spec.name;
    const match = /^\s*SELECT\s+(.+?)\s+FROM\s+'([^']+)'\s*(.*)$/is.exec(spec.sql);
    if (!match) throw new Error(`rule ${spec.name}: cannot parse SQL "${spec.sql}"`);
    if ((match[3] ?? '').trim() !== '') throw new Error(`rule ${spec.name}: the local rule engine does not support "${match[3]}" after FROM`);
    this.filter = match[2] ?? '';
    this.#select = splitTopLevel(match[1] ?? '').map((item) => {
      if (item === '*') return { type: 'all' };
      const as = /^(.+?)\s+AS\s+([A-Za-z_][A-Za-z0-9_]*)$/is.exec(item);
      if (!as) throw new Error(`rule ${spec.name}: select item "${item}" needs AS <name>`);
      return { type: 'as', expression: parseExpression(as[1] ?? '', spec.name), name: as[2] ?? '' };
    });
    // Check the templates once, so an unsupported one fails at start, not on the first message.
    for (const template of [spec.kinesis?.partitionKey, spec.errorS3?.key]) if (template) this.#templateParts(template);
  }

  matches(topic: string): boolean {
    return this.spec.enabled && topicMatches(this.filter, topic);
  }

  /** The SQL's result for a payload, or why there is none. */
  evaluate(payload: Buffer, context: RuleContext): RuleOutcome {
    if (!this.matches(context.topic)) return { kind: 'no-match' };
    let input: unknown;
    try {
      input = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return { kind: 'parse-error', detail: (error as Error).message };
    }
    const result: Record<string, unknown> = {};
    for (const item of this.#select) {
      if (item.type === 'all') {
        // `SELECT *` of a JSON value that is not an object cannot take more fields: AWS fails to parse it too.
        if (typeof input !== 'object' || input === null || Array.isArray(input)) return { kind: 'parse-error', detail: 'payload is not a JSON object' };
        Object.assign(result, input);
      } else result[item.name] = this.#value(item.expression, context, input);
    }
    const payloadObject = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    return { kind: 'result', result, payload: payloadObject };
  }

  /**
   * A substitution template (`${...}` parts) evaluated against the published payload, as AWS does: a
   * template cannot see the SQL's `AS` names, only the message's own fields (and the functions).
   */
  substitute(template: string, payload: Record<string, unknown>, context: RuleContext): string {
    return this.#templateParts(template)
      .map((part) => {
        if (typeof part === 'string') return part;
        const value = this.#value(part, context, payload);
        return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
      })
      .join('');
  }

  #templateParts(template: string): Array<string | Expression> {
    const parts: Array<string | Expression> = [];
    let rest = template;
    for (;;) {
      const start = rest.indexOf('${');
      if (start < 0) break;
      const end = rest.indexOf('}', start);
      if (end < 0) throw new Error(`rule ${this.name}: unterminated substitution in "${template}"`);
      parts.push(rest.slice(0, start), parseExpression(rest.slice(start + 2, end), this.name));
      rest = rest.slice(end + 1);
    }
    parts.push(rest);
    return parts;
  }

  #value(expression: Expression, context: RuleContext, input: unknown): unknown {
    switch (expression.type) {
      case 'topic':
        return expression.level === undefined ? context.topic : context.topic.split('/')[expression.level - 1];
      case 'clientid':
        return context.clientId;
      case 'timestamp':
        return context.timestamp;
      case 'newuuid':
        return randomUUID();
      case 'parse_time':
        return formatTime(expression.format, Number(this.#value(expression.of, context, input)));
      case 'literal':
        return expression.value;
      case 'field':
        return expression.path.reduce<unknown>(
          (value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined),
          input,
        );
    }
  }
}
