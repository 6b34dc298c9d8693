import { ConfigError, EnvironmentConfig } from './config';
import { PlatformNames } from './names';

/**
 * PlatformNames fields that are places, or names inside a resource of the environment (a table in its
 * Glue database), not names of resources of the account: equal across environments by design.
 */
const NOT_NAMES = /(^|\.)(availabilityZone|archiveRawPrefix|athenaResultsPrefix|rawTable|quarantineTable)$/;

/** Every name a PlatformNames holds, by its field path (`vpcEndpoints.s3`, `privateSubnets[0].object`). */
function physicalNames(names: PlatformNames): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (!NOT_NAMES.test(path)) found.set(path, value);
    }
    else if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${path}[${index}]`));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) visit(item, path === '' ? key : `${path}.${key}`);
  };
  for (const [key, value] of Object.entries(names)) if (key !== 'config') visit(value, key);
  return found;
}

/**
 * Refuses a set of environments that would fight over the same resources: two with the same
 * suffix (it makes the namespace and every physical name, so their Argo CD applications would
 * manage the same objects), and two in one account with a physical name in common (IoT Core's
 * log group and logging options exist once per account and region, for example). Throws a
 * ConfigError naming the later file of the pair.
 */
export function checkEnvironmentSet(configs: readonly EnvironmentConfig[]): void {
  const seen: { config: EnvironmentConfig; names: Map<string, string> }[] = [];
  for (const config of [...configs].sort((a, b) => (a.sourceFile < b.sourceFile ? -1 : a.sourceFile > b.sourceFile ? 1 : 0))) {
    const names = physicalNames(new PlatformNames(config));
    for (const other of seen) {
      if (other.config.suffix === config.suffix) {
        throw new ConfigError(
          config.sourceFile,
          'suffix',
          config.suffix,
          `${other.config.sourceFile} uses it already; the suffix makes the namespace and every physical name, so the two environments would manage the same resources`,
        );
      }
      if (other.config.accountId !== config.accountId) continue;
      const shared = [...names].find(([field, value]) => other.names.get(field) === value);
      if (shared) {
        // A name without the suffix (IoT Core's log group) is one per account and region: no choice of suffix
        // frees it, so the only way out is another account, and the error says so rather than "rename".
        const fixed = !shared[1].includes(config.suffix) && !shared[1].includes(other.config.suffix);
        throw new ConfigError(
          config.sourceFile,
          'accountId',
          config.accountId,
          fixed
            ? `${other.config.sourceFile} deploys to the same account and both would own ${shared[0]} "${shared[1]}", a name fixed per account and region that no suffix changes; give each environment an AWS account of its own`
            : `${other.config.sourceFile} deploys to the same account and both would own ${shared[0]} "${shared[1]}"; environments sharing an account must not share a physical name`,
        );
      }
    }
    seen.push({ config, names });
  }
}
