import { ConfigurationError } from './errors';

/**
 * Reads the function's environment variables once, at module load, and fails the init with an
 * error naming the variable, so a misconfigured deployment never processes a record.
 */
export class Environment {
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  required(name: string): string {
    const value = this.#env[name];
    if (value === undefined || value.trim() === '') {
      throw new ConfigurationError(`environment variable ${name} is required`);
    }
    return value.trim();
  }

  integer(name: string, bounds: { min: number; max: number; default?: number }): number {
    const raw = this.#env[name];
    if ((raw === undefined || raw.trim() === '') && bounds.default !== undefined) return bounds.default;
    const text = this.required(name);
    const value = Number(text);
    if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
      throw new ConfigurationError(`environment variable ${name} must be an integer from ${bounds.min} to ${bounds.max}, got ${JSON.stringify(text)}`);
    }
    return value;
  }

  json(name: string, fallback: unknown): unknown {
    const raw = this.#env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return JSON.parse(raw) as unknown;
    } catch (error) {
      throw new ConfigurationError(`environment variable ${name} is not valid JSON: ${(error as Error).message}`);
    }
  }

  /** An ARN of the given service, e.g. `arn:aws:sns:sa-east-1:123456789012:topic`. */
  arn(name: string, service: string): string {
    const value = this.required(name);
    if (!new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`).test(value)) {
      throw new ConfigurationError(`environment variable ${name} must be an ${service} ARN, got ${JSON.stringify(value)}`);
    }
    return value;
  }
}
