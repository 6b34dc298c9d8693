/** Why an invocation did not redrive its records; the words are the dead-letter redrive's kept reasons. */
export type InvocationFailure = 'batch item failures' | 'function error' | 'invoke error';

/** What one invocation answered, judged as a Kinesis event source mapping with ReportBatchItemFailures would. */
export type InvocationResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: InvocationFailure;
      readonly detail: string;
      /**
       * The lowest sequence number the function reported: the mapping would retry from there. Absent when the whole
       * invocation counts as failed (a function error, or a report the mapping cannot use).
       */
      readonly firstFailed?: string;
    };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Judges a synchronous invocation's FunctionError and response payload as Lambda judges a partial batch response:
 * a null or empty response, or a null or empty batchItemFailures list, is a complete success; an item whose
 * itemIdentifier is missing, empty or not a sequence number of the invocation (`sequenceNumbers`, when given) fails
 * the whole invocation; otherwise the mapping retries from the lowest sequence number reported.
 */
export function judgeInvocation(functionError: string | undefined, payload: string, sequenceNumbers?: readonly string[]): InvocationResult {
  let body: unknown;
  try {
    body = payload.trim() === '' ? null : JSON.parse(payload);
  } catch {
    body = payload;
  }
  if (functionError !== undefined) {
    const { errorType, errorMessage } = (isObject(body) ? body : {}) as { errorType?: string; errorMessage?: string };
    return { ok: false, reason: 'function error', detail: `function error (${functionError}) ${errorType ?? 'Error'}: ${errorMessage ?? payload}` };
  }
  if (body === null) return { ok: true };
  if (!isObject(body)) {
    return { ok: false, reason: 'function error', detail: `the function returned no batch response object: ${payload.slice(0, 200)}` };
  }
  const failures = body.batchItemFailures;
  if (failures === undefined || failures === null) return { ok: true };
  if (!Array.isArray(failures)) {
    return { ok: false, reason: 'function error', detail: `the function returned a batchItemFailures that is not a list: ${payload.slice(0, 200)}` };
  }
  if (failures.length === 0) return { ok: true };
  const counted = `${failures.length} batch item failure${failures.length === 1 ? '' : 's'}`;
  const identifiers = failures.map((failure) => (isObject(failure) ? failure.itemIdentifier : undefined));
  const sent = sequenceNumbers === undefined ? undefined : new Set(sequenceNumbers);
  const unusable = identifiers.filter((identifier) => typeof identifier !== 'string' || !/^\d+$/.test(identifier) || (sent !== undefined && !sent.has(identifier)));
  if (unusable.length > 0) {
    // Lambda cannot checkpoint on an item it does not know: it retries the whole batch.
    return { ok: false, reason: 'batch item failures', detail: `${counted}, ${unusable.length} not naming a record of the invocation (${JSON.stringify(unusable[0] ?? null)}): all of it failed` };
  }
  const first = (identifiers as string[]).reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a));
  return { ok: false, reason: 'batch item failures', detail: `${counted} from sequence number ${first}`, firstFailed: first };
}
