import type { LambdaFunctionURLEvent } from 'aws-lambda';

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
