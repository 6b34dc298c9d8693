import { parseArgs } from 'node:util';
import { configFolderEnvironments } from './configFolderEnvironments';
import { helpRequested } from './helpRequested';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { resolveUserPath } from './resolveUserPath';

export const PROOF_USAGE = 'usage: proof [--env <env>] [--config-dir <dir>]';

/** The flags `proof` takes; the usage names each of them (a test holds them together). */
export const PROOF_FLAGS = { env: { type: 'string' }, 'config-dir': { type: 'string' } } as const;

/** What to prove: the environments, and the config folder they come from (absent: config/). */
export interface ProofOptions {
  readonly environments: string[];
  readonly configDir?: string;
}

/**
 * The environments to prove: `--env dev` or `--env=dev`, every environment of the config folder without it
 * (`--config-dir`, resolved from where npm was started; config/ by default); 'help' for `--help`/`-h`; a wrong one
 * is a one-line Error (exit 2). `known` stands for the folder's environments (tests), read only past the help check.
 */
export function parseProofArgs(args: readonly string[], known?: readonly string[]): ProofOptions | 'help' {
  if (helpRequested(args)) return 'help';
  // Not strict: this tool words its own refusals; the tokens still say which arguments are flags and values.
  const { tokens } = parseArgs({ args: [...args], options: PROOF_FLAGS, strict: false, allowPositionals: true, tokens: true });
  const values: { env?: string; 'config-dir'?: string } = {};
  for (const token of tokens) {
    const arg = args[token.index] ?? '';
    if (token.kind !== 'option' || !(token.name === 'env' || token.name === 'config-dir')) throw new Error(`unknown argument "${arg}"; ${PROOF_USAGE}`);
    // `--env --x`: the value was forgotten; a flag is not an environment.
    if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) throw new Error(`--${token.name} needs a value; ${PROOF_USAGE}`);
    values[token.name] = token.value;
  }
  // One environment or all: a second --env is refused, not taken for the first.
  refuseRepeatedFlags(tokens, PROOF_FLAGS, (message) => new Error(message));
  const configDirText = values['config-dir'];
  const configDir = configDirText === undefined ? undefined : resolveUserPath(configDirText);
  const environments = known ?? configFolderEnvironments(configDirText, configDir, (message) => new Error(message));
  const folder = configDir === undefined ? {} : { configDir };
  const environment = values.env;
  if (environment === undefined) return { environments: [...environments], ...folder };
  if (!environments.includes(environment)) {
    throw new Error(`--env ${environment}: unknown environment; known environments ${configDirText === undefined ? '' : `of ${configDirText} `}are ${environments.join(', ')}`);
  }
  return { environments: [environment], ...folder };
}
