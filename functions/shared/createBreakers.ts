import { CircuitBreaker } from './CircuitBreaker';
import { CIRCUIT_BREAKER, ENV } from './constants';
import { Environment } from './Environment';

/** One circuit breaker per dependency, with the open time from CIRCUIT_BREAKER_OPEN_MS if set. */
export function createBreakers<const T extends readonly string[]>(dependencies: T, env: Environment = new Environment()): Record<T[number], CircuitBreaker> {
  const openMs = env.integer(ENV.circuitBreakerOpenMs, { min: 10, max: 600_000, default: CIRCUIT_BREAKER.openMs });
  const breakers = {} as Record<T[number], CircuitBreaker>;
  for (const dependency of dependencies as readonly T[number][]) breakers[dependency] = new CircuitBreaker(dependency, { openMs });
  return breakers;
}
