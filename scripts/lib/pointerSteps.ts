/** The steps of a JSON pointer (`/metadata/annotations/crossplane.io~1external-name`). */
export function pointerSteps(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}
