/** Moved to scripts/lib/local (the local pipeline uses it too); kept here for the tests' imports. */
export { FakeSqsServer, type FakeSqsCall, type FakeSqsMessage } from '../../scripts/lib/local/FakeSqsServer';
