import type { QUARANTINE_REASONS } from './constants';
import { errorSummary } from './errorSummary';

/** Reason code of a record that can never be processed. */
export type QuarantineReason = (typeof QUARANTINE_REASONS)[keyof typeof QUARANTINE_REASONS];

/** Root of the stream functions' errors, so callers can tell ours from the SDK's. */
export class TelemetryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A record breaks the data contract: quarantine it, never retry it. */
export class ValidationError extends TelemetryError {
  readonly reason: QuarantineReason;

  constructor(reason: QuarantineReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A dependency failed in a way that may pass (throttling, 5xx, timeout): report the record for retry. */
export class TransientDependencyError extends TelemetryError {
  readonly dependency: string;

  constructor(dependency: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.dependency = dependency;
  }
}

/** A dependency failed in a way retrying in-process cannot fix (access denied, missing table): report for retry, do not retry here. */
export class PermanentDependencyError extends TelemetryError {
  readonly dependency: string;

  constructor(dependency: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.dependency = dependency;
  }
}

/**
 * The dependency's circuit is open: the call was not made, so the batch fails fast. It names the
 * failure that opened the circuit (and carries it as cause): once open, every call of the batch
 * fails with this error, so a log of its failures would otherwise never show the root cause.
 */
export class CircuitOpenError extends TransientDependencyError {
  constructor(dependency: string, retryInMs: number, failures: number, lastFailure: unknown) {
    super(
      dependency,
      `circuit of ${dependency} is open after ${failures} consecutive transient failure(s) (last: ${errorSummary(lastFailure)}); next probe in ${retryInMs} ms`,
      { cause: lastFailure },
    );
  }
}

/** The invocation is about to run out of time; work not started is reported for retry. */
export class DeadlineExceededError extends TelemetryError {}

/** An environment variable is missing or malformed; thrown at module load so the function fails to init. */
export class ConfigurationError extends TelemetryError {}

/**
 * A read-path request (query function, `npm run query`) asks for something that is not allowed: the
 * message is one line naming the parameter, the value and what is allowed. HTTP 400 (404 for an
 * UnknownSensorError: what it names is not there); CLI exit 2.
 */
export class QueryInputError extends TelemetryError {
  /** The parameter as the caller named it (`from`, `step`, `metric`, ...). */
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(message);
    this.parameter = parameter;
  }
}

/** What a read consumed before it was refused: DynamoDB bills it all the same. */
export interface ReadConsumption {
  readonly itemsRead: number;
  readonly capacityUnits: number;
}

/** A valid request beyond the read path's limits (range, points): refused up front, never a timeout. */
export class QueryLimitError extends QueryInputError {
  /** What was read before the refusal (a read stopped at its budget or its points), when anything was. */
  readonly consumed: ReadConsumption | undefined;

  constructor(parameter: string, message: string, consumed?: ReadConsumption) {
    super(parameter, message);
    this.consumed = consumed;
  }
}

/** The asset or sensor is not known to the platform (no status item, or not one of its metrics). */
export class UnknownSensorError extends QueryInputError {}

/**
 * A stored item is not one this code wrote (an attribute missing or of another type): it is refused,
 * not half-read. Retrying reads it the same; the item, or the code that reads it, has to be fixed.
 */
export class CorruptItemError extends TelemetryError {}

/**
 * A read-path computation (rollUp, rawPoints) got a minute bucket without the readings it needs: the
 * reader did not read them. A bug of the read path, never bad input: the query function rethrows it
 * (502), the CLI prints its name.
 */
export class MissingReadingsError extends TelemetryError {}
