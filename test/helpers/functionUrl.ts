import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

/**
 * A Lambda function URL event, payload format 2.0, as AWS documents it for an IAM-authenticated URL:
 * `rawQueryString` as sent, `queryStringParameters` decoded (repeated names comma-joined).
 */
export function functionUrlEvent(method: string, path: string, query: Record<string, string> = {}): LambdaFunctionURLEvent {
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { host: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.sa-east-1.on.aws', 'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000000', accept: 'application/json' },
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: { ...query } }),
    requestContext: {
      accountId: '111122223333',
      apiId: 'abcdefghijklmnopqrstuvwxyz012345',
      authorizer: { iam: { accessKey: 'ASIAEXAMPLE', accountId: '111122223333', callerId: 'AROAEXAMPLE:grafana', cognitoIdentity: null, principalOrgId: null, userArn: 'arn:aws:sts::111122223333:assumed-role/grafana/grafana', userId: 'AROAEXAMPLE:grafana' } },
      domainName: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.sa-east-1.on.aws',
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'Grafana/11.0.0' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    isBase64Encoded: false,
  } as LambdaFunctionURLEvent;
}

/**
 * Invoke's response payload limit, bytes (6 MB): the most a function URL in BUFFERED mode, the rendered
 * default, passes back. Stated here apart from the function's own limit, so a test through the URL proves it.
 */
export const FUNCTION_URL_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** What the caller of a function URL receives. */
export interface FunctionUrlResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The URL's own answer when the function fails or its result cannot pass: nothing of the function's reaches the caller. */
const BAD_GATEWAY: FunctionUrlResponse = { status: 502, headers: {}, body: 'Internal Server Error' };

/**
 * Calls `handler` as a BUFFERED function URL does and answers what the caller would get: a thrown error is
 * a 502, and so is a result whose JSON (as the runtime serializes it, the body escaped inside) is over 6 MB;
 * a result with a statusCode is that response, and any other result a 200 with its JSON as the body.
 */
export async function callFunctionUrl(
  handler: (event: LambdaFunctionURLEvent, context: Context) => Promise<LambdaFunctionURLResult>,
  event: LambdaFunctionURLEvent,
  context: Context,
): Promise<FunctionUrlResponse> {
  let result: LambdaFunctionURLResult;
  try {
    result = await handler(event, context);
  } catch {
    return BAD_GATEWAY;
  }
  const payload = JSON.stringify(result) ?? 'null';
  if (Buffer.byteLength(payload, 'utf8') > FUNCTION_URL_MAX_RESPONSE_BYTES) return BAD_GATEWAY;
  if (typeof result === 'object' && result !== null && typeof result.statusCode === 'number') {
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
    const body = result.isBase64Encoded === true ? Buffer.from(result.body ?? '', 'base64').toString('utf8') : (result.body ?? '');
    return { status: result.statusCode, headers, body };
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: payload };
}
