/**
 * What the local fakes ask before serving a request when policies are enforced (the tests' PolicyEnforcer
 * implements it with the policy simulator): the same shapes, declared here so the fakes do not depend on tests.
 */
export interface AuthorizationRequest {
  /** The request's Authorization header. */
  readonly authorization: string | undefined;
  /** `service:Action` */
  readonly action: string;
  /** Every resource the request touches (a batch names several tables). */
  readonly resources: readonly string[];
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** The fake's answer: allowed, refused by policy, or signed with a key no identity has. */
export type Authorization =
  | { readonly outcome: 'allowed' }
  | { readonly outcome: 'denied'; readonly message: string }
  | { readonly outcome: 'unknown-key'; readonly message: string };

export interface RequestAuthorizer {
  authorize(request: AuthorizationRequest): Promise<Authorization>;
  queueArn(queueUrl: string): string;
  tableArn(table: string): string;
  streamArn(stream: string): string;
}
