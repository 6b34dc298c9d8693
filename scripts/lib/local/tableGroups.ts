/** Groups of tables: those one running function names go together; tables no running function names join the first. */
export function tableGroups(tables: readonly string[], functionTables: ReadonlyArray<readonly string[]>): string[][] {
  const groups: string[][] = [];
  for (const named of functionTables) {
    const known = named.filter((table) => tables.includes(table));
    if (known.length === 0) continue;
    const overlapping = groups.filter((group) => group.some((table) => known.includes(table)));
    const merged = [...new Set([...overlapping.flat(), ...known])];
    for (const group of overlapping) groups.splice(groups.indexOf(group), 1);
    groups.push(merged);
  }
  const rest = tables.filter((table) => !groups.some((group) => group.includes(table)));
  if (groups.length === 0) groups.push([]);
  (groups[0] as string[]).push(...rest);
  return groups.filter((group) => group.length > 0);
}
