import { parseArgs } from 'node:util';
import { listEnvironments } from '../../charts/lib/config';

export const PROOF_USAGE = 'usage: proof [--env <env>]';

/** The environments to prove: `--env dev` or `--env=dev`, every environment without it; a wrong one is a one-line Error (exit 2). */
export function parseProofArgs(args: readonly string[], known: readonly string[] = listEnvironments()): string[] {
  // Not strict: this tool words its own refusals; the tokens still say which arguments are flags and values.
  const { tokens } = parseArgs({ args: [...args], options: { env: { type: 'string' } }, strict: false, allowPositionals: true, tokens: true });
  let environment: string | undefined;
  for (const token of tokens) {
    const arg = args[token.index] ?? '';
    if (token.kind !== 'option' || token.name !== 'env') throw new Error(`unknown argument "${arg}"; ${PROOF_USAGE}`);
    // `--env --x`: the value was forgotten; a flag is not an environment.
    if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) throw new Error(`--env needs a value; ${PROOF_USAGE}`);
    // One environment or all: a second --env would silently replace the first.
    if (environment !== undefined) throw new Error(`--env takes one environment (none for all), got "${environment}" and "${token.value}"; ${PROOF_USAGE}`);
    environment = token.value;
  }
  if (environment === undefined) return [...known];
  if (!known.includes(environment)) throw new Error(`--env ${environment}: unknown environment; known environments are ${known.join(', ')}`);
  return [environment];
}
