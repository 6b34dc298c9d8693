/** Moved to scripts/lib/local (the local pipeline uses it too); kept here for the tests' imports. */
export { FaultProxy, type Fault, type FaultRule, type ProxiedService } from '../../scripts/lib/local/FaultProxy';
