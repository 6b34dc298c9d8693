/** Why an invocation did not redrive its records; the words are the dead-letter redrive's kept reasons. */
export type InvocationFailure = 'batch item failures' | 'function error' | 'invoke error';

/** What one invocation answered, judged as a Kinesis event source mapping with ReportBatchItemFailures would. */
export type InvocationResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: InvocationFailure;
      readonly detail: string;
      /** The lowest sequence number the function reported: the mapping would retry from there. */
      readonly firstFailed?: string;
    };

/** Judges a synchronous invocation's FunctionError and response payload. */
export function judgeInvocation(functionError: string | undefined, payload: string): InvocationResult {
  let body: unknown;
  try {
    body = payload === '' ? undefined : JSON.parse(payload);
  } catch {
    body = payload;
  }
  if (functionError !== undefined) {
    const { errorType, errorMessage } = (body ?? {}) as { errorType?: string; errorMessage?: string };
    return { ok: false, reason: 'function error', detail: `function error (${functionError}) ${errorType ?? 'Error'}: ${errorMessage ?? payload}` };
  }
  const failures = (body as { batchItemFailures?: unknown } | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) {
    return { ok: false, reason: 'function error', detail: `the function returned no batchItemFailures list: ${payload.slice(0, 200)}` };
  }
  if (failures.length === 0) return { ok: true };
  const first = failures
    .map((failure) => String((failure as { itemIdentifier?: unknown }).itemIdentifier ?? ''))
    .filter((identifier) => /^\d+$/.test(identifier))
    .reduce((a, b) => (a === '' || BigInt(b) < BigInt(a) ? b : a), '');
  const counted = `${failures.length} batch item failure${failures.length === 1 ? '' : 's'}`;
  if (first === '') return { ok: false, reason: 'batch item failures', detail: counted };
  return { ok: false, reason: 'batch item failures', detail: `${counted} from sequence number ${first}`, firstFailed: first };
}
