/** Moved to scripts/lib/local (the local pipeline uses it too); kept here for the tests' imports. */
export { listen } from '../../scripts/lib/local/listen';
export { close } from '../../scripts/lib/local/close';
