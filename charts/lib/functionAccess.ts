import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { platformTags } from './conventions';
import { PlatformNames } from './names';

/**
 * `actions` on the platform key, only through `services` (kms:ViaService): the services use the key
 * with the caller's identity, so it cannot use the key through any other.
 */
export function platformKeyAccess(config: EnvironmentConfig, names: PlatformNames, services: readonly string[], actions: readonly string[], sid: string): AccessStatement {
  return {
    sid,
    actions,
    // The key id is not known at synth: any key of the account, narrowed to the platform key by alias.
    resources: [names.kmsKeysArn],
    conditions: {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.kmsAlias },
      StringEquals: { 'kms:ViaService': [...services].sort().map((service) => `${service}.${config.region}.amazonaws.com`) },
    },
  };
}

/**
 * KMS use of the platform key, action by action: each action only through the services `use` lists
 * it for (kms:ViaService), one statement per action, so a principal cannot, say, decrypt through S3
 * because it writes there.
 */
export function platformKeyUses(config: EnvironmentConfig, names: PlatformNames, use: Readonly<Record<string, readonly string[]>>): AccessStatement[] {
  const actions = [...new Set(Object.values(use).flat())].sort();
  return actions.map((action) => {
    const services = Object.keys(use).filter((service) => use[service].includes(action));
    return platformKeyAccess(config, names, services, [action], `PlatformKey${action.replace('kms:', '')}`);
  });
}

/** What every function of the platform needs to run: its own log group, and the network interfaces of a function in the VPC. */
export function functionRuntimeAccess(config: EnvironmentConfig, names: PlatformNames, functionName: string): AccessStatement[] {
  const tags = platformTags(config);
  const networkInterfaces = `arn:aws:ec2:${config.region}:${config.accountId}:network-interface/*`;
  return [
    {
      sid: 'WriteOwnLogs',
      // No CreateLogGroup: the group is created encrypted and with retention by this chart, and must not
      // be recreated without them if someone deletes it.
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${names.logGroupArn(names.logGroup(functionName))}:*`],
    },
    {
      sid: 'DescribeNetworkInterfaces',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
      wildcardResourceReason: 'EC2 Describe* actions support no resource-level permissions',
    },
    {
      sid: 'CreateNetworkInterfaces',
      // The interface's id does not exist before the call: any interface of this account and region.
      actions: ['ec2:CreateNetworkInterface'],
      resources: [networkInterfaces],
    },
    {
      sid: 'CreateNetworkInterfacesInPlatformSubnets',
      // Subnet and security-group ids are assigned by AWS when the network chart creates them, so the
      // platform's own are recognised by their tags instead of their ids.
      actions: ['ec2:CreateNetworkInterface'],
      resources: [`arn:aws:ec2:${config.region}:${config.accountId}:subnet/*`, `arn:aws:ec2:${config.region}:${config.accountId}:security-group/*`],
      conditions: { StringEquals: { 'aws:ResourceTag/project': tags.project, 'aws:ResourceTag/environment': tags.environment } },
    },
    {
      sid: 'ManageNetworkInterfaces',
      // Lambda manages the interfaces it created; their ids are not known at synth.
      actions: ['ec2:AssignPrivateIpAddresses', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
      resources: [networkInterfaces],
    },
  ];
}
