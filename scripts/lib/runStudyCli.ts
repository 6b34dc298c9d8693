import { DetectorError } from '../../functions/shared/detector';
import { parseArgsProblem } from './parseArgsProblem';
import { ReplayError } from './replayErrors';

/**
 * Runs the `main` of a study the README quotes (`npx tsx scripts/lib/<study>.ts ...`): a refused command line,
 * an unreadable file or a bad setting is one line `<name>: <why>` on stderr, exit 2 for usage and settings, 1 for
 * input, as `replay` reports them, instead of a stack trace. Anything else is a bug and keeps its stack.
 */
export function runStudyCli(name: string, main: () => void): void {
  try {
    main();
  } catch (error) {
    const parseArgsRefusal = typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_');
    if (!(error instanceof ReplayError || error instanceof DetectorError || parseArgsRefusal)) throw error;
    process.stderr.write(`${name}: ${parseArgsRefusal ? parseArgsProblem(error) : (error as Error).message}\n`);
    process.exitCode = error instanceof ReplayError ? error.exitCode : 2;
  }
}
