/**
 * Whether a command line asks for the usage (`--help`, `-h`): answered on stdout with exit 0 before the flags
 * are checked, since the strict flag parser would refuse it as an unknown option (exit 2).
 */
export function helpRequested(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}
