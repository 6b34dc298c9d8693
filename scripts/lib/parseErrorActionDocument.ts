import type { ErrorActionDocument } from './redriveIotDocument';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The document, or why the object is not one (every field the replay relies on is checked). */
export function parseErrorActionDocument(body: string): { readonly ok: true; readonly document: ErrorActionDocument } | { readonly ok: false; readonly reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
  const fields = parsed as Record<string, unknown>;
  for (const name of ['ruleName', 'topic', 'base64OriginalPayload'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') return { ok: false, reason: `no ${name} string` };
  }
  const encoded = fields.base64OriginalPayload as string;
  if (!BASE64.test(encoded)) return { ok: false, reason: 'base64OriginalPayload is not base64' };
  // AWS writes the client id; a document without one still rebuilds (the rule's clientid() is then empty).
  if (fields.clientId !== undefined && typeof fields.clientId !== 'string') return { ok: false, reason: 'clientId is not a string' };
  const failures = Array.isArray(fields.failures) ? fields.failures : [];
  return {
    ok: true,
    document: {
      ruleName: fields.ruleName as string,
      topic: fields.topic as string,
      clientId: (fields.clientId as string | undefined) ?? '',
      payload: Buffer.from(encoded, 'base64'),
      failures: failures.map((failure) => {
        const { failedAction, errorMessage } = (failure ?? {}) as { failedAction?: unknown; errorMessage?: unknown };
        return `${String(failedAction ?? '?')}: ${String(errorMessage ?? '')}`;
      }),
    },
  };
}
