import { createOnlyChanges } from '../../charts/lib/createOnlyChanges';
import { describeObject } from './describeObject';
import { indexByIdentity } from './indexByIdentity';
import { PreflightProblem } from './preflightProblem';
import type { RenderedFile } from './preflightRendering';
import { quoteValue } from './quoteValue';

/** Create-only fields whose value differs between the previous and the current rendering of the same object. */
export function createOnlyProblems(previous: readonly RenderedFile[], current: readonly RenderedFile[]): PreflightProblem[] {
  const before = indexByIdentity(previous);
  return [...indexByIdentity(current).entries()].flatMap(([key, now]) => {
    const old = before.get(key);
    if (!old) return [];
    return createOnlyChanges(old.object, now.object).map((change) => ({
      subject: describeObject(now.file, now.object),
      field: change.path,
      wrong: `create-only field changed ${quoteValue(change.before)} → ${quoteValue(change.after)}; AWS cannot change it in place`,
      todo: change.replacement,
    }));
  });
}
