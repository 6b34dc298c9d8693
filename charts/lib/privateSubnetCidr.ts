/**
 * Address space of the functions' VPC. Each environment lives in its own account and nothing is
 * peered, so every environment can use the same range.
 */
export const VPC_CIDR = '10.42.0.0/16';

/** One /20 (4,091 usable addresses) per availability zone, in names.privateSubnets order. */
export function privateSubnetCidr(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 15) throw new Error(`privateSubnetCidr: index must be an integer from 0 to 15, got ${index}`);
  const [first, second] = VPC_CIDR.split('.');
  return `${first}.${second}.${index * 16}.0/20`;
}
