import { CIRCUIT_BREAKER } from './constants';
import { CircuitOpenError } from './errors';
import { isTransientError } from './isTransientError';

export interface CircuitBreakerOptions {
  readonly failureThreshold?: number;
  readonly minFailureSpanMs?: number;
  readonly openMs?: number;
  readonly now?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Fails calls to a dependency at once while it is known to be down, so a batch returns its
 * failures quickly instead of spending the invocation on timeouts. Only transient failures count:
 * a validation error says nothing about the dependency's health. The circuit opens after
 * `failureThreshold` consecutive failures that span at least `minFailureSpanMs`: a burst of
 * simultaneous failures (dozens of concurrent calls meeting kept-alive sockets the server closed
 * while idle) is retried, not taken for an outage. After `openMs` one probe call goes through
 * (half-open); its success closes the circuit, its failure opens it again. The failure that last
 * opened the circuit is kept for the CircuitOpenError of every call it refuses.
 */
export class CircuitBreaker {
  readonly dependency: string;
  readonly #failureThreshold: number;
  readonly #minFailureSpanMs: number;
  readonly #openMs: number;
  readonly #now: () => number;
  #consecutiveFailures = 0;
  #firstFailureAt = 0;
  #openedAt: number | undefined;
  #openedAfterFailures = 0;
  #openedBy: unknown;
  #probeInFlight = false;

  constructor(dependency: string, options: CircuitBreakerOptions = {}) {
    this.dependency = dependency;
    this.#failureThreshold = options.failureThreshold ?? CIRCUIT_BREAKER.failureThreshold;
    this.#minFailureSpanMs = options.minFailureSpanMs ?? CIRCUIT_BREAKER.minFailureSpanMs;
    this.#openMs = options.openMs ?? CIRCUIT_BREAKER.openMs;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#now() - this.#openedAt >= this.#openMs ? 'half-open' : 'open';
  }

  /** Milliseconds until the open circuit lets a probe through; 0 when calls may go now. */
  msUntilProbe(): number {
    if (this.#openedAt === undefined) return 0;
    return Math.max(0, this.#openedAt + this.#openMs - this.#now());
  }

  async execute<T>(operation: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.#probeInFlight)) {
      throw new CircuitOpenError(this.dependency, this.msUntilProbe(), this.#openedAfterFailures, this.#openedBy);
    }
    const probing = state === 'half-open';
    if (probing) this.#probeInFlight = true;
    try {
      const result = await operation();
      this.#close();
      return result;
    } catch (error) {
      if (isTransientError(error)) {
        const now = this.#now();
        if (this.#consecutiveFailures === 0) this.#firstFailureAt = now;
        this.#consecutiveFailures += 1;
        const sustained = this.#consecutiveFailures >= this.#failureThreshold && now - this.#firstFailureAt >= this.#minFailureSpanMs;
        if (probing || sustained) {
          this.#openedAt = now;
          this.#openedAfterFailures = this.#consecutiveFailures;
          this.#openedBy = error;
        }
      } else if (probing) {
        // The dependency answered, so it is up even though this request was refused.
        this.#close();
      }
      throw error;
    } finally {
      if (probing) this.#probeInFlight = false;
    }
  }

  #close(): void {
    this.#consecutiveFailures = 0;
    this.#openedAt = undefined;
    this.#openedAfterFailures = 0;
    this.#openedBy = undefined;
  }
}
