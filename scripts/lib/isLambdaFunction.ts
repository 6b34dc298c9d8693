import { JsonObject } from './manifestDiffValues';

/** The ACK Lambda Function, whose `spec.code` carries the zip inline. */
export function isLambdaFunction(object: JsonObject): boolean {
  return String(object.apiVersion).startsWith('lambda.services.k8s.aws/') && object.kind === 'Function';
}
