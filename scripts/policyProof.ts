/**
 * `npm run proof [-- --env prod]`: evaluates every policy document the charts render (in memory, as they
 * are now) with the IAM simulator against the catalog of required and forbidden requests
 * (scripts/lib/policyProofCatalog.ts). Prints one line per failing check, then per environment
 * `policy proof <env>: required N/N allowed, forbidden M/M denied`. Exit 0 when every check holds, 1 when
 * one fails, 2 for a wrong argument or environment.
 */
import { listEnvironments } from '../charts/lib/config';
import { runPolicyProof } from './lib/policyProof';

const USAGE = 'usage: proof [--env <env>]';

function parseArgs(args: readonly string[]): string[] {
  if (args.length === 0) return listEnvironments();
  if (args[0] !== '--env') throw new Error(`unknown argument "${args[0]}"; ${USAGE}`);
  if (args.length < 2) throw new Error(`--env needs a value; ${USAGE}`);
  if (args.length > 2) throw new Error(`unknown argument "${args[2]}"; ${USAGE}`);
  const environment = args[1] ?? '';
  const known = listEnvironments();
  if (!known.includes(environment)) throw new Error(`--env ${environment}: unknown environment; known environments are ${known.join(', ')}`);
  return [environment];
}

async function main(): Promise<number> {
  let environments: string[];
  try {
    environments = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`proof: ${(error as Error).message}\n`);
    return 2;
  }
  let ok = true;
  for (const environment of environments) {
    const report = await runPolicyProof(environment);
    for (const line of report.failures) process.stdout.write(`${line}\n`);
    process.stdout.write(`${report.summary}\n`);
    ok &&= report.ok;
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`proof: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
