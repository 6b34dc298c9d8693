import { missingCredentialsHint } from '../../scripts/lib/missingCredentialsHint';

describe('missingCredentialsHint', () => {
  it("turns the SDK's missing-credentials error into the policy to use, and the alternative", () => {
    // What the SDK's default credential chain throws when it finds nothing (its class is not a direct dependency).
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(missingCredentialsHint(error, 'iam-redrive-<suffix>')).toBe(
      'no AWS credentials found: run with a profile or role that has the policy iam-redrive-<suffix> attached (AWS_PROFILE=<profile> npm run ...)',
    );
    expect(missingCredentialsHint(error, 'iam-query-operator-<suffix>', 'add --local to query the local pipeline')).toBe(
      'no AWS credentials found: run with a profile or role that has the policy iam-query-operator-<suffix> attached (AWS_PROFILE=<profile> npm run ...), or add --local to query the local pipeline',
    );
  });

  it('leaves every other error to the tool', () => {
    expect(missingCredentialsHint(new Error('AccessDenied'), 'p')).toBeUndefined();
    expect(missingCredentialsHint('text', 'p')).toBeUndefined();
  });
});
