import { CREATE_ONLY_KINDS, type CreateOnlyKind } from './createOnlyFields';

/** The create-only kind of an object, by its apiVersion (`group/version`) and kind. */
export function createOnlyKind(apiVersion: string, kind: string): CreateOnlyKind | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return CREATE_ONLY_KINDS.find((entry) => entry.group === group && entry.kind === kind);
}
