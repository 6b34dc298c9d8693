/**
 * Counters one thread writes and others read as they change: each name is a slot of 64-bit integers in a
 * SharedArrayBuffer, read and written through `Atomics` (no torn values, no message to wait for). The writer
 * uses the object as a plain counters object (`counters.received += 1`); the readers see every update at once,
 * which the load test's "every record put was delivered" checks need. The buffer takes
 * `names.length * BigInt64Array.BYTES_PER_ELEMENT` bytes, zeroed.
 */
export function sharedCounters<Name extends string>(names: readonly Name[], buffer: SharedArrayBuffer): Record<Name, number> {
  const needed = names.length * BigInt64Array.BYTES_PER_ELEMENT;
  if (buffer.byteLength < needed) throw new Error(`sharedCounters: the buffer holds ${buffer.byteLength} bytes; ${names.length} counters need ${needed}`);
  const slots = new BigInt64Array(buffer, 0, names.length);
  const counters = {} as Record<Name, number>;
  names.forEach((name, index) => {
    Object.defineProperty(counters, name, {
      enumerable: true,
      get: () => Number(Atomics.load(slots, index)),
      set: (value: number) => {
        if (!Number.isSafeInteger(value)) throw new Error(`sharedCounters: ${name} must be a safe integer, got ${value}`);
        Atomics.store(slots, index, BigInt(value));
      },
    });
  });
  return counters;
}
