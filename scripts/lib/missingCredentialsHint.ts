/**
 * The one line an operator tool prints when the AWS SDK found no credentials: the SDK's own message
 * names no way out, so this one names the policy the operator's role needs (and what else helps).
 */
export function missingCredentialsHint(error: unknown, policy: string, alternative?: string): string | undefined {
  if (!(error instanceof Error) || error.name !== 'CredentialsProviderError') return undefined;
  const other = alternative === undefined ? '' : `, or ${alternative}`;
  return `no AWS credentials found: run with a profile or role that has the policy ${policy} attached (AWS_PROFILE=<profile> npm run ...)${other}`;
}
