import { createHash } from 'node:crypto';
import { sortedDocumentJson } from './sortedDocumentJson';

/**
 * Eight hex digits of a SHA-256 of `content` as JSON with its keys sorted (as rendered, whatever order it
 * was built in): a name part that changes exactly when the content does. For objects whose every field is
 * create-only (an Athena named query has no update), naming the object by its content turns a change into
 * a new object and the prune of the old one, instead of an update the create-only policy refuses and an
 * engineer has to rename by hand.
 */
export function contentTag(content: unknown): string {
  return createHash('sha256').update(sortedDocumentJson(content)).digest('hex').slice(0, 8);
}
