import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

const EVENT_OVERHEAD_BYTES = Buffer.byteLength('{"Records":[]}');

/** Bounds of one event: bytes of JSON as it is sent, and records (the mapping's batch size). */
export interface EventLimits {
  readonly maxBytes: number;
  readonly maxRecords: number;
}

/**
 * Packs records, given in shard order, into contiguous events within the limits, one record at a time, so
 * a range of any length is sent with one event in memory. A record that alone exceeds maxBytes is an error
 * (Kinesis records are at most 1 MiB, so this does not happen with Lambda's 6 MB).
 */
export class EventPacker {
  readonly #limits: EventLimits;
  #current: KinesisStreamRecord[] = [];
  #size = EVENT_OVERHEAD_BYTES;

  constructor(limits: EventLimits) {
    this.#limits = limits;
  }

  /** Adds a record; answers the event it closes (the records before it) when it does not fit beside them. */
  add(record: KinesisStreamRecord): KinesisStreamEvent | undefined {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    const { maxBytes, maxRecords } = this.#limits;
    if (EVENT_OVERHEAD_BYTES + bytes > maxBytes) {
      throw new Error(`record ${record.kinesis.sequenceNumber} alone is ${EVENT_OVERHEAD_BYTES + bytes} bytes of event, above the ${maxBytes}-byte invocation limit`);
    }
    // A comma separates it from the previous record.
    const added = this.#current.length === 0 ? bytes : bytes + 1;
    let closed: KinesisStreamEvent | undefined;
    if (this.#current.length > 0 && (this.#size + added > maxBytes || this.#current.length >= maxRecords)) {
      closed = { Records: this.#current };
      this.#current = [];
      this.#size = EVENT_OVERHEAD_BYTES + bytes;
    } else this.#size += added;
    this.#current.push(record);
    return closed;
  }

  /** The event of the records added since the last one closed, if any. */
  flush(): KinesisStreamEvent | undefined {
    if (this.#current.length === 0) return undefined;
    const event = { Records: this.#current };
    this.#current = [];
    this.#size = EVENT_OVERHEAD_BYTES;
    return event;
  }
}
