import { createOnlyKind } from './createOnlyKind';
import { valueAtPointer } from './valueAtPointer';

/** A create-only field whose value differs between two renderings of the same object. */
export interface CreateOnlyChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly replacement: string;
}

const ATTRIBUTE_DEFINITIONS = '/spec/attributeDefinitions';

/** The types of a table's key attributes (`{ sensorId: 'S' }`), from its key schema and attribute definitions. */
function keyAttributeTypes(table: Record<string, unknown>): Record<string, unknown> {
  const keys = valueAtPointer(table, '/spec/keySchema');
  const definitions = valueAtPointer(table, ATTRIBUTE_DEFINITIONS);
  if (!Array.isArray(keys) || !Array.isArray(definitions)) return {};
  const names = new Set(keys.map((key) => (key as { attributeName?: unknown }).attributeName));
  const types: Record<string, unknown> = {};
  for (const definition of definitions as { attributeName?: unknown; attributeType?: unknown }[]) {
    if (names.has(definition.attributeName)) types[String(definition.attributeName)] = definition.attributeType;
  }
  return types;
}

/**
 * A changed type of a key attribute of a DynamoDB table. The CRD guards the key schema, which names
 * the attributes but not their types; attributeDefinitions itself changes legitimately with a new
 * GSI, so it is not create-only as a whole. The controller finds the difference and requeues it
 * forever without an update call, so only the key attributes are compared, as sets.
 */
function keyAttributeTypeChange(before: Record<string, unknown>, after: Record<string, unknown>, replacement: string): CreateOnlyChange[] {
  if (String(after.kind) !== 'Table' || !String(after.apiVersion).startsWith('dynamodb.services.k8s.aws/')) return [];
  if (JSON.stringify(valueAtPointer(before, '/spec/keySchema')) !== JSON.stringify(valueAtPointer(after, '/spec/keySchema'))) return [];
  const [old, now] = [keyAttributeTypes(before), keyAttributeTypes(after)];
  const changed = Object.keys(now).filter((name) => name in old && old[name] !== now[name]);
  if (changed.length === 0) return [];
  const pick = (types: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(changed.map((name) => [name, types[name]]));
  return [{ path: ATTRIBUTE_DEFINITIONS, before: pick(old), after: pick(now), replacement }];
}

/** The create-only fields that differ between `before` and `after` (the same object, two renderings). */
export function createOnlyChanges(before: Record<string, unknown>, after: Record<string, unknown>): CreateOnlyChange[] {
  const entry = createOnlyKind(String(after.apiVersion), String(after.kind));
  if (!entry) return [];
  const changes: CreateOnlyChange[] = [];
  for (const { path } of entry.fields) {
    const old = valueAtPointer(before, path);
    const now = valueAtPointer(after, path);
    if (JSON.stringify(old) !== JSON.stringify(now)) changes.push({ path, before: old, after: now, replacement: entry.replacement });
  }
  return [...changes, ...keyAttributeTypeChange(before, after, entry.replacement)];
}
