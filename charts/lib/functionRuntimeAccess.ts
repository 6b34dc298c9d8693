import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { PlatformNames } from './names';
import { platformTags } from './platformTags';

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
