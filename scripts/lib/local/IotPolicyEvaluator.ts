import type { PolicyDocument, PolicyStatement } from './LocalManifests';

/** The connection a request of a device comes from, as IoT Core's policy variables see it. */
export interface IotConnection {
  readonly clientId: string;
  /** Thing the certificate is attached to; undefined when none is (the variables then do not resolve). */
  readonly thingName: string | undefined;
}

export type IotDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);

/** The condition operators this evaluator judges; any other fails closed. */
const KNOWN_OPERATORS: ReadonlySet<string> = new Set(['Bool', 'StringEquals', 'StringNotEquals', 'StringLike']);

/** A statement's match: yes, no, or yes but for a condition this evaluator cannot judge (named). */
type ConditionOutcome = 'yes' | 'no' | { readonly unknown: string };

/** Compiled patterns: a fleet evaluates the same few (per thing) thousands of times a second. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 100_000;

function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regExp = compiled.get(key);
  if (regExp === undefined) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    regExp = new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, regExp);
  }
  return regExp;
}

/**
 * A small evaluator of IoT Core policy documents for the local broker: Allow/Deny statements, actions with
 * `*` wildcards (case-insensitive), resources with `*`/`?` wildcards after substituting the policy variables
 * `${iot:Connection.Thing.ThingName}`, `${iot:Connection.Thing.IsAttached}` and `${iot:ClientId}`, and the
 * condition operators Bool, StringEquals, StringNotEquals and StringLike on those keys. An explicit Deny wins;
 * without an Allow, the request is denied (IoT Core's default). A statement whose variables do not resolve
 * (no thing attached) matches nothing, as in AWS. A condition with an operator or key this evaluator does not
 * know fails closed: an Allow statement holding one does not match, a Deny statement holding one matches (so a
 * Deny is never skipped because its condition could not be judged), unless a condition it does know fails.
 */
export class IotPolicyEvaluator {
  readonly #statements: readonly PolicyStatement[];
  /** Decisions by request: the document never changes, so a thing's next publish to its topic is a lookup. */
  readonly #decisions = new Map<string, IotDecision>();

  constructor(document: PolicyDocument) {
    this.#statements = document.Statement;
  }

  authorize(action: string, resource: string, connection: IotConnection): IotDecision {
    const key = `${action}\n${resource}\n${connection.clientId}\n${connection.thingName ?? '\u0000'}`;
    let decision = this.#decisions.get(key);
    if (decision === undefined) {
      decision = this.#evaluate(action, resource, connection);
      if (this.#decisions.size >= MAX_COMPILED) this.#decisions.clear();
      this.#decisions.set(key, decision);
    }
    return decision;
  }

  #evaluate(action: string, resource: string, connection: IotConnection): IotDecision {
    let allowed = false;
    for (const statement of this.#statements) {
      const match = this.#matches(statement, action, resource, connection);
      if (match === 'no') continue;
      if (statement.Effect === 'Deny') {
        const unjudged = match === 'yes' ? '' : `: its condition ${match.unknown} is not modelled locally, so the Deny applies (fail closed)`;
        return { allowed: false, reason: `explicitly denied by statement ${statement.Sid ?? '(no Sid)'}${unjudged}` };
      }
      // An Allow whose condition cannot be judged allows nothing.
      if (match === 'yes') allowed = true;
    }
    return allowed ? { allowed: true } : { allowed: false, reason: `no statement allows ${action} on ${resource}` };
  }

  #variables(connection: IotConnection): Record<string, string | undefined> {
    return {
      'iot:Connection.Thing.ThingName': connection.thingName,
      'iot:Connection.Thing.IsAttached': connection.thingName === undefined ? 'false' : 'true',
      'iot:ClientId': connection.clientId,
    };
  }

  #substitute(pattern: string, connection: IotConnection): string | undefined {
    const variables = this.#variables(connection);
    let unresolved = false;
    const result = pattern.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      const value = variables[name];
      if (value === undefined) unresolved = true;
      return value ?? '';
    });
    return unresolved ? undefined : result;
  }

  #matches(statement: PolicyStatement, action: string, resource: string, connection: IotConnection): ConditionOutcome {
    if (!list(statement.Action).some((pattern) => wildcardRegExp(pattern, true).test(action))) return 'no';
    const resourceMatch = list(statement.Resource).some((pattern) => {
      const concrete = this.#substitute(pattern, connection);
      return concrete !== undefined && wildcardRegExp(concrete, false).test(resource);
    });
    return resourceMatch ? this.#conditions(statement, connection) : 'no';
  }

  /** Whether every condition holds; a condition that cannot be judged is reported only when none of the others fails (they are ANDed). */
  #conditions(statement: PolicyStatement, connection: IotConnection): ConditionOutcome {
    const variables = this.#variables(connection);
    let unknown: string | undefined;
    for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
      for (const [key, expected] of Object.entries(entries)) {
        if (!KNOWN_OPERATORS.has(operator) || !Object.hasOwn(variables, key)) {
          unknown ??= `${operator} on ${key}`;
          continue;
        }
        const actual = variables[key];
        const values = list(expected);
        // As IAM evaluates a key absent from the request: no value matches it, so a negated operator holds.
        if (actual === undefined) {
          if (operator === 'StringNotEquals') continue;
          return 'no';
        }
        if (operator === 'Bool') {
          if (!values.some((value) => value.toLowerCase() === actual.toLowerCase())) return 'no';
        } else if (operator === 'StringEquals') {
          if (!values.includes(actual)) return 'no';
        } else if (operator === 'StringNotEquals') {
          if (values.includes(actual)) return 'no';
        } else if (!values.some((value) => wildcardRegExp(value, false).test(actual))) return 'no';
      }
    }
    return unknown === undefined ? 'yes' : { unknown };
  }
}
