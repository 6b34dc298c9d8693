const CEL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A CEL expression over an admission request (`object`, `oldObject`) that holds when the field at
 * `pointer` keeps the value it had. A field that was unset may be set (controllers fill some in
 * after create, Crossplane its external name), so only a set value is frozen.
 */
export function celUnchangedOnceSet(pointer: string): string {
  const steps = pointer.split('/').slice(1).map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  const access = (root: string, count: number): string =>
    steps.slice(0, count).reduce((expression, step) => (CEL_IDENTIFIER.test(step) ? `${expression}.${step}` : `${expression}['${step}']`), root);
  const present = (root: string): string =>
    steps
      .map((step, index) => (CEL_IDENTIFIER.test(step) ? `has(${access(root, index)}.${step})` : `'${step}' in ${access(root, index)}`))
      .join(' && ');
  return `!(${present('oldObject')}) || (${present('object')} && ${access('object', steps.length)} == ${access('oldObject', steps.length)})`;
}
