import type { Authorization } from './RequestAuthorizer';

/** One authorization DynamoDB makes for a request: an IAM action on one resource. */
export interface DynamoCheck {
  readonly action: string;
  readonly resource: string;
}

/**
 * What DynamoDB authorizes a request on (`checks`, every one must be allowed), the table the request is routed
 * by, and, when the local pipeline cannot serve it, why (`unsupported`: answered after the checks, as AWS decides
 * before it runs anything).
 */
export interface DynamoAccess {
  readonly checks: readonly DynamoCheck[];
  readonly table: string | undefined;
  readonly unsupported?: string;
}

/**
 * The source of `dynamoAccess(operation, input, tableArnPrefix)`, plain JavaScript, so DynamoService's worker
 * (which decides the functions' requests in dynalite's thread) and the router (the operator tools') read a
 * request the same way. As the Service Authorization Reference maps the operations:
 * - an item or table operation: `dynamodb:<operation>` on its TableName (a table ARN there is taken as it is);
 *   a Query or Scan of an index, on the index's ARN;
 * - BatchGetItem, BatchWriteItem: `dynamodb:<operation>` on every table of RequestItems;
 * - TransactWriteItems, TransactGetItems: no action of their own, the item's action (dynamodb:PutItem,
 *   UpdateItem, DeleteItem, ConditionCheckItem, GetItem) on each item's table; dynalite 4 does not run them;
 * - ListTables: `dynamodb:ListTables` on `*` (no resource type);
 * - ListTagsOfResource, TagResource, UntagResource: on ResourceArn.
 * PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction: dynamodb:PartiQLSelect and the others on
 * the statement's table) and every other operation are not decided and not run: `unsupported` says so. Nothing in
 * functions/ or scripts/ sends them. `undefined`: a body DynamoDB refuses before deciding (not an object, no table
 * named), left to dynalite's validation.
 */
export const DYNAMO_ACCESS_SOURCE = `
function dynamoAccess(operation, input, tableArnPrefix) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const named = (value) => typeof value === 'string' && value !== '';
  const arn = (table) => (table.startsWith('arn:') ? table : tableArnPrefix + table);
  const action = 'dynamodb:' + operation;
  const notRun = (what) => operation + ': ' + what + '; the local pipeline\\'s DynamoDB (dynalite) does not run it';
  switch (operation) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
    case 'CreateTable':
    case 'DescribeTable':
    case 'UpdateTable':
    case 'DeleteTable':
    case 'DescribeTimeToLive':
    case 'UpdateTimeToLive':
    case 'Query':
    case 'Scan': {
      if (!named(input.TableName)) return undefined;
      const index = (operation === 'Query' || operation === 'Scan') && named(input.IndexName) ? '/index/' + input.IndexName : '';
      const access = { checks: [{ action, resource: arn(input.TableName) + index }], table: input.TableName };
      return operation === 'UpdateTimeToLive' ? { ...access, unsupported: notRun('decided on its table') } : access;
    }
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = input.RequestItems;
      if (items === null || typeof items !== 'object' || Array.isArray(items)) return undefined;
      const tables = Object.keys(items);
      if (tables.length === 0) return undefined;
      return { checks: tables.map((table) => ({ action, resource: arn(table) })), table: tables[0] };
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const kinds = operation === 'TransactGetItems' ? { Get: 'dynamodb:GetItem' } : { Put: 'dynamodb:PutItem', Update: 'dynamodb:UpdateItem', Delete: 'dynamodb:DeleteItem', ConditionCheck: 'dynamodb:ConditionCheckItem' };
      if (!Array.isArray(input.TransactItems) || input.TransactItems.length === 0) return undefined;
      const checks = [];
      let table;
      for (const item of input.TransactItems) {
        // One request per item, or DynamoDB refuses the transaction before deciding it.
        const requests = item !== null && typeof item === 'object' ? Object.keys(item).filter((kind) => Object.hasOwn(kinds, kind)) : [];
        if (requests.length !== 1) return undefined;
        const request = item[requests[0]];
        if (request === null || typeof request !== 'object' || !named(request.TableName)) return undefined;
        if (table === undefined) table = request.TableName;
        const check = { action: kinds[requests[0]], resource: arn(request.TableName) };
        if (!checks.some((seen) => seen.action === check.action && seen.resource === check.resource)) checks.push(check);
      }
      return { checks, table, unsupported: notRun("decided as each item's action on its table") };
    }
    case 'ListTables':
      return { checks: [{ action, resource: '*' }], table: undefined };
    case 'ListTagsOfResource':
    case 'TagResource':
    case 'UntagResource':
      if (!named(input.ResourceArn)) return undefined;
      return { checks: [{ action, resource: input.ResourceArn }], table: input.ResourceArn.split('/')[1] };
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      return { checks: [], table: undefined, unsupported: notRun('the local pipeline does not decide PartiQL (dynamodb:PartiQLSelect, PartiQLInsert, PartiQLUpdate, PartiQLDelete on the statement\\'s table)') };
    default:
      return { checks: [], table: undefined, unsupported: notRun('the local pipeline does not know which resources DynamoDB authorizes it on') };
  }
}
`;

const compiled = new Function(`${DYNAMO_ACCESS_SOURCE}\nreturn dynamoAccess;`)() as (operation: string, input: unknown, tableArnPrefix: string) => DynamoAccess | undefined;

/** `DYNAMO_ACCESS_SOURCE` for this thread; `tableArnPrefix` is `arn:aws:dynamodb:<region>:<account>:table/`. */
export function dynamoAccess(operation: string, input: unknown, tableArnPrefix: string): DynamoAccess | undefined {
  return compiled(operation, input, tableArnPrefix);
}

/** Every check of a request decided with `decide`, one call per action with that action's resources; the first refusal is the answer. */
export async function decideChecks(checks: readonly DynamoCheck[], decide: (action: string, resources: readonly string[]) => Promise<Authorization>): Promise<Authorization> {
  for (const action of new Set(checks.map((check) => check.action))) {
    const decision = await decide(
      action,
      checks.filter((check) => check.action === action).map((check) => check.resource),
    );
    if (decision.outcome !== 'allowed') return decision;
  }
  return { outcome: 'allowed' };
}
