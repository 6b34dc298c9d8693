import { isDocumentationAccountId } from './isDocumentationAccountId';
import { RESERVED_DOMAINS, RESERVED_TOP_LEVEL_DOMAINS } from './preflightConfig';
import { PreflightProblem } from './preflightProblem';
import { quoteValue } from './quoteValue';

/** The reserved domain a host name belongs to (`example.com` for `git.example.com`), if any. */
function reservedDomainOf(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  const domain = RESERVED_DOMAINS.find((reserved) => name === reserved || name.endsWith(`.${reserved}`));
  if (domain) return domain;
  const topLevel = RESERVED_TOP_LEVEL_DOMAINS.find((reserved) => name === reserved || name.endsWith(`.${reserved}`));
  return topLevel === undefined ? undefined : `.${topLevel}`;
}

/** Host of an https://, ssh:// or scp-like (`git@host:path`) repository URL. */
function repositoryHost(url: string): string | undefined {
  const scpLike = /^[^@/\s]+@([^:/\s]+):/.exec(url);
  if (scpLike) return scpLike[1];
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

const RESERVED = 'a domain reserved for documentation and tests (RFC 2606, RFC 6761)';

function field(document: unknown, path: readonly string[]): unknown {
  let node = document;
  for (const step of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

function accountProblems(file: string, environment: string, document: unknown): PreflightProblem[] {
  const accountId = field(document, ['accountId']);
  if (typeof accountId !== 'string' || !isDocumentationAccountId(accountId)) return [];
  return [
    {
      subject: file,
      field: 'accountId',
      wrong: `${quoteValue(accountId)} is an account id of the AWS documentation`,
      todo: `set the 12-digit id of the AWS account of ${environment}`,
    },
  ];
}

const RECIPIENT_LISTS = [
  { key: 'anomalyEmails', purpose: 'anomaly alerts' },
  { key: 'opsEmails', purpose: 'alarms of the pipeline' },
] as const;

function recipientProblems(file: string, document: unknown): PreflightProblem[] {
  return RECIPIENT_LISTS.flatMap(({ key, purpose }): PreflightProblem[] => {
    const list = field(document, ['alerts', key]);
    if (Array.isArray(list) && list.length > 0) {
      return list.flatMap((address, index): PreflightProblem[] => {
        const domain = typeof address === 'string' ? reservedDomainOf(address.slice(address.lastIndexOf('@') + 1)) : undefined;
        if (domain === undefined) return [];
        return [
          {
            subject: file,
            field: `alerts.${key}[${index}]`,
            wrong: `${quoteValue(address)} is at ${domain}, ${RESERVED}`,
            todo: `set an address someone reads (it receives the ${purpose})`,
          },
        ];
      });
    }
    return [{ subject: file, field: `alerts.${key}`, wrong: `no recipient: the ${purpose} would reach nobody`, todo: 'add at least one address someone reads' }];
  });
}

function repositoryProblems(file: string, document: unknown): PreflightProblem[] {
  const url = field(document, ['gitops', 'repoURL']);
  if (typeof url !== 'string') return [];
  const host = repositoryHost(url);
  const domain = host === undefined ? undefined : reservedDomainOf(host);
  if (domain === undefined) return [];
  return [
    {
      subject: file,
      field: 'gitops.repoURL',
      wrong: `${quoteValue(url)} is at ${domain}, ${RESERVED}`,
      todo: 'set the URL Argo CD clones this repository from',
    },
  ];
}

/** Placeholders and missing recipients of one parsed environment file, in the order of the file. */
export function configProblems(file: string, environment: string, document: unknown): PreflightProblem[] {
  return [...accountProblems(file, environment, document), ...recipientProblems(file, document), ...repositoryProblems(file, document)];
}
