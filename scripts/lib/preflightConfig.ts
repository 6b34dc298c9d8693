/**
 * Checks of an environment file that synth cannot make: values that are valid but only stand in
 * for the real ones (documentation account ids and domains), and alert lists nobody would receive.
 * They read the parsed YAML, not the validated config, so they run even when the file is invalid.
 */

/**
 * Account ids AWS documentation uses in examples; any id of one repeated digit (000000000000,
 * 111111111111, ...) is refused as well.
 */
export const DOCUMENTATION_ACCOUNT_IDS: readonly string[] = [
  '012345678901',
  '098765432109',
  '111122223333',
  '123456789012',
  '210987654321',
  '444455556666',
  '777788889999',
];

/** Second-level domains reserved for documentation (RFC 2606), with every subdomain. */
export const RESERVED_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org'];

/** Top-level domains reserved for testing and documentation (RFC 2606, RFC 6761), with every name below them. */
export const RESERVED_TOP_LEVEL_DOMAINS: readonly string[] = ['example', 'invalid', 'localhost', 'test'];
