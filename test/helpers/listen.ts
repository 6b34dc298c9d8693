/** Moved to scripts/lib/local (the local pipeline uses it too); kept here for the tests' imports. */
export { close, listen } from '../../scripts/lib/local/listen';
