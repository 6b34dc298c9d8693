import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * SET/REMOVE expression with every attribute name aliased (`#name`, value `:name`), so no
 * DynamoDB reserved word (status, count, ...) can break it. `conditionNames` adds aliases for
 * names only a condition uses.
 */
export function updateExpression(
  set: Record<string, unknown>,
  remove: readonly string[],
  extraValues: Record<string, unknown> = {},
  conditionNames: readonly string[] = [],
): Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...extraValues };
  for (const name of [...Object.keys(set), ...remove, ...conditionNames]) names[`#${name}`] = name;
  for (const [name, value] of Object.entries(set)) values[`:${name}`] = value;
  const clauses = [`SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')}`];
  if (remove.length > 0) clauses.push(`REMOVE ${remove.map((name) => `#${name}`).join(', ')}`);
  return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
