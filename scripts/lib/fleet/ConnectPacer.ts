/**
 * Spaces the fleet's CONNECTs (initial connects and reconnects alike) at most `perSecond` a second: IoT Core
 * throttles an account's CONNECTs beyond its quota, and a fleet that lost its connections together (an
 * outage, a broker restart) would otherwise come back all in the same seconds. Without a rate it delays nothing.
 */
export class ConnectPacer {
  readonly #intervalMs: number;
  #nextFreeAt = 0;

  constructor(perSecond: number | undefined) {
    this.#intervalMs = perSecond === undefined ? 0 : 1000 / perSecond;
  }

  /** Reserves the first free slot at or after `delayMs` from `now`; returns the delay until it (`delayMs` itself when unpaced or free). */
  reserve(delayMs: number, now: number = Date.now()): number {
    if (this.#intervalMs === 0) return delayMs;
    const earliest = now + delayMs;
    // Free by then: the delay as asked (not recomputed from the slot, which would round it).
    if (earliest >= this.#nextFreeAt) {
      this.#nextFreeAt = earliest + this.#intervalMs;
      return delayMs;
    }
    const slot = this.#nextFreeAt;
    this.#nextFreeAt = slot + this.#intervalMs;
    return slot - now;
  }
}
