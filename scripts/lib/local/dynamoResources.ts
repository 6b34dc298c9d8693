/**
 * The resources DynamoDB authorizes a request on: its table, or the index's ARN for a Query or Scan of an index;
 * every table of a batch's RequestItems; `table/*` for a request that names none (ListTables). DynamoService's
 * worker, plain JavaScript, does the same in `resourcesOf`.
 */
export function dynamoResources(operation: string, input: Readonly<Record<string, unknown>>, tableArn: (table: string) => string): string[] {
  if (typeof input.TableName === 'string') {
    const index = (operation === 'Query' || operation === 'Scan') && typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '';
    return [`${tableArn(input.TableName)}${index}`];
  }
  if (typeof input.RequestItems === 'object' && input.RequestItems !== null) return Object.keys(input.RequestItems).map(tableArn);
  return [tableArn('*')];
}
