import { parseArgs } from 'node:util';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { helpRequested } from './helpRequested';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';

export const PROOF_USAGE = 'usage: proof [--env <env>]';

/** The flags `proof` takes; the usage names each of them (a test holds them together). */
export const PROOF_FLAGS = { env: { type: 'string' } } as const;

/**
 * The environments to prove: `--env dev` or `--env=dev`, every environment without it; 'help' for `--help`/`-h`;
 * a wrong one is a one-line Error (exit 2). `known` defaults to the config folder's environments, read only past the help check.
 */
export function parseProofArgs(args: readonly string[], known?: readonly string[]): string[] | 'help' {
  if (helpRequested(args)) return 'help';
  // Not strict: this tool words its own refusals; the tokens still say which arguments are flags and values.
  const { tokens } = parseArgs({ args: [...args], options: PROOF_FLAGS, strict: false, allowPositionals: true, tokens: true });
  let environment: string | undefined;
  for (const token of tokens) {
    const arg = args[token.index] ?? '';
    if (token.kind !== 'option' || token.name !== 'env') throw new Error(`unknown argument "${arg}"; ${PROOF_USAGE}`);
    // `--env --x`: the value was forgotten; a flag is not an environment.
    if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) throw new Error(`--env needs a value; ${PROOF_USAGE}`);
    environment = token.value;
  }
  // One environment or all: a second --env is refused, not taken for the first.
  refuseRepeatedFlags(tokens, PROOF_FLAGS, (message) => new Error(message));
  const environments = known ?? listEnvironments();
  if (environment === undefined) return [...environments];
  if (!environments.includes(environment)) throw new Error(`--env ${environment}: unknown environment; known environments are ${environments.join(', ')}`);
  return [environment];
}
