/** A wrong command line: one line naming the flag and the value; the CLIs exit 2 on it. */
export class UsageError extends Error {}
