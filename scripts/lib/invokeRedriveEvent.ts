import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { KinesisStreamEvent } from 'aws-lambda';
import { errorText } from './errorText';
import { judgeInvocation, type InvocationResult } from './judgeInvocation';

/**
 * Invokes a stream function synchronously with one event, as its mapping does, and judges the answer; a call
 * that fails (the SDK has retried it) is an 'invoke error' whose detail is the error.
 */
export async function invokeRedriveEvent(lambda: LambdaClient, functionArn: string, event: KinesisStreamEvent): Promise<InvocationResult> {
  try {
    const output = await lambda.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }));
    const sequenceNumbers = event.Records.map((record) => record.kinesis.sequenceNumber);
    return judgeInvocation(output.FunctionError, output.Payload ? Buffer.from(output.Payload).toString('utf8') : '', sequenceNumbers);
  } catch (error) {
    return { ok: false, reason: 'invoke error', detail: errorText(error) };
  }
}
