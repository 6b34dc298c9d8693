/**
 * IAM-style policy documents (IAM role trust and inline policies, managed policies, KMS key, S3
 * bucket, SQS queue and SNS topic policies, the IoT device policy) compared statement by
 * statement: statements paired by Sid, else by position among those without one, and each field
 * compared as a set of values, so reordering a list or reformatting the JSON is no change.
 */
import { formatPath } from './formatPath';
import { isObject } from './isObject';
import type { FieldChange, PolicyChange, StatementFieldChange, StatementSummary } from './manifestDiffTypes';
import { Json, JsonObject, PathStep } from './manifestDiffValues';
import { sameJson } from './sameJson';

/** Statement fields shown as sorted value lists, in the order a reader expects them. */
const VALUE_FIELDS = ['Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'] as const;

function statementsOf(document: JsonObject): JsonObject[] {
  const statement = document.Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.map((entry) => (isObject(entry) ? entry : { Statement: entry }));
}

const text = (value: Json): string => (typeof value === 'string' ? value : JSON.stringify(value));
const asList = (value: Json | undefined): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The values of a statement field, flattened and sorted: `Service lambda.amazonaws.com`, `StringEquals aws:SourceAccount 111122223333`. */
function statementValues(field: string, value: Json | undefined): string[] {
  if (value === undefined) return [];
  if (field === 'Principal' || field === 'NotPrincipal') {
    if (!isObject(value)) return asList(value).map(text).sort();
    return Object.entries(value).flatMap(([type, ids]) => asList(ids).map((id) => `${type} ${text(id)}`)).sort();
  }
  if (field === 'Condition' && isObject(value)) {
    return Object.entries(value)
      .flatMap(([operator, keys]) =>
        isObject(keys) ? Object.entries(keys).flatMap(([key, values]) => asList(values).map((one) => `${operator} ${key} ${text(one)}`)) : [`${operator} ${text(keys)}`],
      )
      .sort();
  }
  return asList(value).map(text).sort();
}

function summarize(statement: JsonObject, label: string): StatementSummary {
  const effect = typeof statement.Effect === 'string' ? statement.Effect : text(statement.Effect ?? null);
  const actions = statementValues('Action', statement.Action ?? statement.NotAction);
  const resources = statementValues('Resource', statement.Resource ?? statement.NotResource);
  return { label, effect, actions, resources };
}

function diffStatement(before: JsonObject, after: JsonObject): StatementFieldChange[] {
  const changes: StatementFieldChange[] = [];
  if (before.Effect !== after.Effect) {
    const show = (value: Json | undefined): string | undefined => (value === undefined ? undefined : text(value));
    changes.push({ field: 'Effect', kind: 'scalar', before: show(before.Effect), after: show(after.Effect) });
  }
  for (const field of VALUE_FIELDS) {
    const old = statementValues(field, before[field]);
    const now = statementValues(field, after[field]);
    const added = now.filter((value) => !old.includes(value));
    const removed = old.filter((value) => !now.includes(value));
    if (added.length > 0 || removed.length > 0) changes.push({ field, kind: 'values', added, removed });
  }
  const known = new Set<string>(['Sid', 'Effect', ...VALUE_FIELDS]);
  const others = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !known.has(key));
  for (const field of others) {
    if (!sameJson(before[field], after[field])) {
      const show = (value: Json | undefined): string | undefined => (value === undefined ? undefined : text(value));
      changes.push({ field, kind: 'scalar', before: show(before[field]), after: show(after[field]) });
    }
  }
  return changes;
}

/** `#<position>` (1-based) names a statement without a Sid. */
const labelOf = (statement: JsonObject, index: number): string => (typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `#${index + 1}`);

export function diffPolicy(steps: readonly PathStep[], before: JsonObject, after: JsonObject): PolicyChange {
  const old = statementsOf(before).map((statement, index) => ({ statement, label: labelOf(statement, index), sid: typeof statement.Sid === 'string' && statement.Sid !== '' }));
  const now = statementsOf(after).map((statement, index) => ({ statement, label: labelOf(statement, index), sid: typeof statement.Sid === 'string' && statement.Sid !== '' }));
  const oldUnnamed = old.filter((entry) => !entry.sid);
  const nowUnnamed = now.filter((entry) => !entry.sid);
  const partnerOf = (entry: (typeof now)[number]): (typeof old)[number] | undefined =>
    entry.sid ? old.find((candidate) => candidate.sid && candidate.label === entry.label) : oldUnnamed[nowUnnamed.indexOf(entry)];

  const paired = new Set<(typeof old)[number]>();
  const added: StatementSummary[] = [];
  const changed: { label: string; fields: StatementFieldChange[] }[] = [];
  for (const entry of now) {
    const partner = partnerOf(entry);
    if (partner === undefined) {
      added.push(summarize(entry.statement, entry.label));
      continue;
    }
    paired.add(partner);
    const fields = diffStatement(partner.statement, entry.statement);
    if (fields.length > 0) changed.push({ label: entry.label, fields });
  }
  const removed = old.filter((entry) => !paired.has(entry)).map((entry) => summarize(entry.statement, entry.label));
  const document: FieldChange[] = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => key !== 'Statement' && !sameJson(before[key], after[key]))
    .map((key) => ({ type: 'field', path: key, before: before[key], after: after[key] }));
  return { type: 'policy', path: formatPath(steps), added, removed, changed, document };
}
