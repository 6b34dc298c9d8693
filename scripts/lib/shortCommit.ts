/** A commit as the report names it. */
export const shortCommit = (commit: string): string => commit.slice(0, 12);
