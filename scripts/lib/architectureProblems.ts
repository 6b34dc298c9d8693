/**
 * Lambda architecture changes the controller cannot make. It changes the architecture through
 * UpdateFunctionCode, with new code when spec.code.sha256 changed; otherwise it re-sends the code
 * only from S3 (spec.code.s3Bucket/s3Key), never the inline zip the charts render, so the call
 * carries no code, Lambda refuses it, and the controller retries it on every reconcile.
 */
import { describeObject } from './describeObject';
import { indexByIdentity } from './indexByIdentity';
import type { PreflightProblem } from './preflightProblem';
import type { RenderedFile } from './preflightRendering';
import { quoteValue } from './quoteValue';

const FUNCTION_GROUP = 'lambda.services.k8s.aws';

interface FunctionSpec {
  readonly name?: string;
  readonly architectures?: readonly string[];
  readonly code?: { readonly sha256?: string; readonly zipFile?: string };
}

/** Functions whose architecture changes while their inline code keeps its sha256. */
export function architectureProblems(previous: readonly RenderedFile[], current: readonly RenderedFile[]): PreflightProblem[] {
  const before = indexByIdentity(previous);
  return [...indexByIdentity(current).entries()].flatMap(([key, now]) => {
    const old = before.get(key);
    if (!old || now.object.kind !== 'Function' || !String(now.object.apiVersion).startsWith(`${FUNCTION_GROUP}/`)) return [];
    const [was, is] = [(old.object.spec ?? {}) as FunctionSpec, (now.object.spec ?? {}) as FunctionSpec];
    if (is.code?.zipFile === undefined || JSON.stringify(was.architectures) === JSON.stringify(is.architectures) || was.code?.sha256 !== is.code.sha256) return [];
    return [
      {
        subject: describeObject(now.file, now.object),
        field: '/spec/architectures',
        wrong:
          `${quoteValue(was.architectures)} → ${quoteValue(is.architectures)} with the same code; the controller changes the architecture through UpdateFunctionCode and ` +
          're-sends only S3 code, never the inline zip, so the call carries no code and fails on every reconcile',
        todo:
          `update it by hand first: aws lambda update-function-code --function-name ${is.name ?? '<name>'} --architectures ${(is.architectures ?? []).join(' ')} ` +
          '--zip-file fileb://<the bundle of spec.code.zipFile, base64-decoded>; then sync',
      },
    ];
  });
}
