import { DOCUMENTATION_ACCOUNT_IDS } from './preflightConfig';

export function isDocumentationAccountId(accountId: string): boolean {
  return DOCUMENTATION_ACCOUNT_IDS.includes(accountId) || /^(\d)\1{11}$/.test(accountId);
}
