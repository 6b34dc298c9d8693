/** Moved to scripts/lib/local (the local pipeline uses it too); kept here for the tests' imports. */
export { FakeAwsServer, type FakeFault, type PublishedMessage, type StoredObject } from '../../scripts/lib/local/FakeAwsServer';
