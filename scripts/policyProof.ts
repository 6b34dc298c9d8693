/**
 * `npm run proof [-- --env prod] [--config-dir <dir>]`: evaluates every policy document the charts render (in memory, as they
 * are now) with the IAM simulator against the catalog of required and forbidden requests
 * (scripts/lib/proofCatalog.ts). Prints one line per failing check, then per environment
 * `policy proof <env>: required N/N allowed, forbidden M/M denied`. Exit 0 when every check holds, 1 when
 * one fails, 2 for a wrong argument or environment (`--env prod` and `--env=prod` alike).
 */
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { runPolicyProof } from './lib/policyProof';
import { parseProofArgs, PROOF_USAGE, type ProofOptions } from './lib/policyProofArgs';
import { renderPlatformPolicies } from './lib/policyProofRender';

async function main(): Promise<number> {
  exitQuietlyOnClosedPipe();
  let options: ProofOptions | 'help';
  try {
    options = parseProofArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`proof: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${PROOF_USAGE}\n`);
    return 0;
  }
  let ok = true;
  for (const environment of options.environments) {
    const report = await runPolicyProof(environment, renderPlatformPolicies(environment, options.configDir));
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
